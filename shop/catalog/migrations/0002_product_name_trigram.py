"""Product search stays fast at 100,000 products on PostgreSQL.

Search is `name__icontains` per word, which PostgreSQL runs as `UPPER(name) LIKE '%WORD%'`:
without an index that is a scan of every product (about 200 ms at 100k on the benchmark
machine). A trigram GIN index on exactly that expression lets PostgreSQL find rare words in
the index, and ANALYZE gathers statistics on the expression, so that for common words it keeps
walking the sort index and stops after one page (measured with `make bench`; docs/scaling.md
has the figures per word frequency).

PostgreSQL only (pg_trgm ships with it and is a trusted extension); on SQLite this migration
does nothing.
"""

from django.db import migrations

INDEX = "product_name_trgm_idx"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_product "
        "USING gin (UPPER(name::text) gin_trgm_ops)"
    )
    # A finer histogram of UPPER(name) (1,000 buckets instead of 100): the estimate for a word
    # in 0.1-1% of names is what decides between the two plans; with 100 buckets it swung
    # between 0 and 1% from one ANALYZE to the next, and the plan with it.
    schema_editor.execute(f"ALTER INDEX {INDEX} ALTER COLUMN 1 SET STATISTICS 1000")
    schema_editor.execute("ANALYZE catalog_product")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
