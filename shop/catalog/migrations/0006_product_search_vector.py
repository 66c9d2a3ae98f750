"""Search people can use (docs/search.md): one stored, indexed search column on PostgreSQL.

- `shop_fold(text)`: lower case without accents ("García" -> "garcia"), IMMUTABLE so that it
  can be indexed (unaccent() itself is only STABLE: it is called with its dictionary named).
  The same function exists on SQLite, registered in Python on every connection
  (shop/catalog/apps.py), so that `Fold()` means the same on both backends.
- `catalog_product.search_vector`: the product's name (weight A) and its category and parent
  category names (weight B), folded and stemmed (english). A trigger on the product keeps it on
  every insert (bulk ones too) and every change of name or category; one on the category keeps
  it when a category is renamed or moved. `manage.py search_reindex` rebuilds it.
- A GIN index on the vector (full-text search) and a trigram GIN index on `shop_fold(name)`
  (typos: `bots` finds boots; "did you mean"). The trigram index on UPPER(name) of 0002 stays
  for now (nothing in this branch searches on it any more; dropping it is a later migration,
  so that the shared benchmark databases keep serving branches that still use it).

On SQLite only the column is added (it stays empty): the search there folds and matches words
in Python-registered SQL (shop/catalog/search.py); the rest of this migration does nothing.
"""

import django.contrib.postgres.search
from django.db import migrations

POSTGRES = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE OR REPLACE FUNCTION shop_fold(value text) RETURNS text AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, coalesce(value, '')))
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION catalog_product_search_vector(p_name text, p_category bigint)
RETURNS tsvector AS $$
    SELECT setweight(to_tsvector('english', shop_fold(p_name)), 'A')
        || setweight(to_tsvector('english', shop_fold(coalesce((
               SELECT c.name || ' ' || coalesce(parent.name, '')
               FROM catalog_category c LEFT JOIN catalog_category parent ON parent.id = c.parent_id
               WHERE c.id = p_category), ''))), 'B')
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION catalog_product_search_keep() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := catalog_product_search_vector(NEW.name, NEW.category_id);
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION catalog_category_search_keep() RETURNS trigger AS $$
BEGIN
    UPDATE catalog_product p
    SET search_vector = catalog_product_search_vector(p.name, p.category_id)
    WHERE p.category_id = NEW.id
       OR p.category_id IN (SELECT c.id FROM catalog_category c WHERE c.parent_id = NEW.id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_product_search_ins BEFORE INSERT ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_search_keep();
CREATE TRIGGER catalog_product_search_upd BEFORE UPDATE OF name, category_id, search_vector
    ON catalog_product FOR EACH ROW EXECUTE FUNCTION catalog_product_search_keep();
CREATE TRIGGER catalog_category_search_upd AFTER UPDATE OF name, parent_id
    ON catalog_category FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.parent_id IS DISTINCT FROM NEW.parent_id)
    EXECUTE FUNCTION catalog_category_search_keep();

UPDATE catalog_product SET search_vector = catalog_product_search_vector(name, category_id);

CREATE INDEX IF NOT EXISTS product_search_vector_idx ON catalog_product
    USING gin (search_vector) WITH (fastupdate = off);
CREATE INDEX IF NOT EXISTS product_name_fold_trgm_idx ON catalog_product
    USING gin (shop_fold(name) gin_trgm_ops) WITH (fastupdate = off);
ANALYZE catalog_product;
"""

POSTGRES_DROP = r"""
DROP TRIGGER IF EXISTS catalog_product_search_ins ON catalog_product;
DROP TRIGGER IF EXISTS catalog_product_search_upd ON catalog_product;
DROP TRIGGER IF EXISTS catalog_category_search_upd ON catalog_category;
DROP FUNCTION IF EXISTS catalog_product_search_keep();
DROP FUNCTION IF EXISTS catalog_category_search_keep();
DROP INDEX IF EXISTS product_search_vector_idx;
DROP INDEX IF EXISTS product_name_fold_trgm_idx;
DROP FUNCTION IF EXISTS catalog_product_search_vector(text, bigint);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_product_price_follows_variants")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
