"""Product.price (the lowest variant price: what lists show, filter and sort on) follows every
change of a variant, however it is made: the dashboard, Django's admin inline, the API, a
queryset update, a bulk insert or a delete. Database triggers on catalog_variant keep it, so
no code path can forget it.

PostgreSQL: statement-level triggers with transition tables (one UPDATE per statement, not
per row: a bulk insert of 300,000 variants refreshes each product once). SQLite: row-level
triggers. A product whose last variant is deleted keeps its last price.
"""

from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION catalog_product_price_from_changed() RETURNS trigger AS $$
BEGIN
    UPDATE catalog_product p SET price = m.lowest
    FROM (SELECT v.product_id, MIN(v.price) AS lowest FROM catalog_variant v
          WHERE v.product_id IN (SELECT DISTINCT product_id FROM changed)
          GROUP BY v.product_id) m
    WHERE p.id = m.product_id AND p.price IS DISTINCT FROM m.lowest;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION catalog_product_price_from_updated() RETURNS trigger AS $$
BEGIN
    UPDATE catalog_product p SET price = m.lowest
    FROM (SELECT v.product_id, MIN(v.price) AS lowest FROM catalog_variant v
          WHERE v.product_id IN (SELECT product_id FROM changed_new
                                 UNION SELECT product_id FROM changed_old)
          GROUP BY v.product_id) m
    WHERE p.id = m.product_id AND p.price IS DISTINCT FROM m.lowest;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_variant_price_ins AFTER INSERT ON catalog_variant
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_product_price_from_changed();
CREATE TRIGGER catalog_variant_price_del AFTER DELETE ON catalog_variant
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_product_price_from_changed();
CREATE TRIGGER catalog_variant_price_upd AFTER UPDATE ON catalog_variant
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_product_price_from_updated();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS catalog_variant_price_ins ON catalog_variant;
DROP TRIGGER IF EXISTS catalog_variant_price_del ON catalog_variant;
DROP TRIGGER IF EXISTS catalog_variant_price_upd ON catalog_variant;
DROP FUNCTION IF EXISTS catalog_product_price_from_changed();
DROP FUNCTION IF EXISTS catalog_product_price_from_updated();
"""

SQLITE = [
    """CREATE TRIGGER catalog_variant_price_ins AFTER INSERT ON catalog_variant BEGIN
        UPDATE catalog_product SET price = (
            SELECT MIN(price) FROM catalog_variant WHERE product_id = NEW.product_id)
        WHERE id = NEW.product_id;
    END""",
    """CREATE TRIGGER catalog_variant_price_del AFTER DELETE ON catalog_variant BEGIN
        UPDATE catalog_product SET price = COALESCE((
            SELECT MIN(price) FROM catalog_variant WHERE product_id = OLD.product_id), price)
        WHERE id = OLD.product_id;
    END""",
    """CREATE TRIGGER catalog_variant_price_upd AFTER UPDATE OF price, product_id
    ON catalog_variant BEGIN
        UPDATE catalog_product SET price = (
            SELECT MIN(price) FROM catalog_variant WHERE product_id = NEW.product_id)
        WHERE id = NEW.product_id;
        UPDATE catalog_product SET price = COALESCE((
            SELECT MIN(price) FROM catalog_variant WHERE product_id = OLD.product_id), price)
        WHERE id = OLD.product_id AND OLD.product_id != NEW.product_id;
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_variant_price_ins",
    "DROP TRIGGER IF EXISTS catalog_variant_price_del",
    "DROP TRIGGER IF EXISTS catalog_variant_price_upd",
]
# Once, for the rows already there.
REFRESH = (
    "UPDATE catalog_product SET price = (SELECT MIN(v.price) FROM catalog_variant v "
    "WHERE v.product_id = catalog_product.id) "
    "WHERE EXISTS (SELECT 1 FROM catalog_variant v WHERE v.product_id = catalog_product.id)"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"no price triggers for {vendor}")
    schema_editor.execute(REFRESH)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    else:
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [("catalog", "0004_one_shop_currency")]

    operations = [migrations.RunPython(forwards, backwards)]
