"""The bulk loader of the demo catalog: generated products, variants and images written in
batches of multi-row INSERTs (COPY on PostgreSQL), fast enough for 100,000 products."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from shop.catalog.models import Product, ProductImage, Variant

from . import images as image_module
from .catalog import ProductGenerator, ProductSpec, ensure_categories


@dataclass
class SeedResult:
    products: int = 0
    variants: int = 0
    images: int = 0
    seconds: float = 0.0


def _allocate_ids(model: type[Product], count: int) -> list[int]:
    """Primary keys for ``count`` new rows. Call inside the transaction that inserts them.

    PostgreSQL hands them out from the table's sequence (safe next to other writers); other
    databases continue from the highest id (SQLite: the transaction holds the write lock).
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")  # type: ignore[arg-type]  # noqa: S608 - model names
        top = cursor.fetchone()[0] or 0
        return list(range(top + 1, top + 1 + count))


def _max_params() -> int:
    """How many parameters one statement may carry."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:  # the library's real limit (32766 since SQLite 3.32), not Django's cautious 999
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999
    return 30000


def _insert(model: type[Product], columns: list[str], rows: list[tuple]) -> None:
    """A plain multi-row INSERT of already adapted values: bulk_create without the models."""
    if not rows:
        return
    # Columns added to the model later and not named here get their default (one value for
    # the whole batch), as bulk_create would give them; db_default ones are left to the DB.
    named = {model._meta.get_field(name).column for name in columns}  # type: ignore[union-attr]
    extra = [
        field
        for field in model._meta.concrete_fields
        if field.column not in named and not field.primary_key and not field.has_db_default()
    ]
    if extra:
        defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in extra)
        columns = [*columns, *(field.name for field in extra)]
        rows = [row + defaults for row in rows]
    qn = connection.ops.quote_name
    names = ", ".join(qn(model._meta.get_field(name).column) for name in columns)  # type: ignore[arg-type, union-attr]
    if connection.vendor == "postgresql":  # COPY: several times faster than INSERT
        with connection.cursor() as cursor:
            copy_sql = f"COPY {qn(model._meta.db_table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(500, _max_params() // len(columns)))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), per_statement):
            chunk = rows[first : first + per_statement]
            sql = (
                f"INSERT INTO {qn(model._meta.db_table)} ({names}) "  # noqa: S608 - model names
                f"VALUES {', '.join([placeholders] * len(chunk))}"
            )
            cursor.execute(sql, [value for row in chunk for value in row])


def _draw_images(specs: list[ProductSpec], workers: int) -> list[list[str]]:
    if workers <= 1 or len(specs) < 8:
        return [image_module.write_product_images(spec) for spec in specs]
    with ThreadPoolExecutor(max_workers=workers) as pool:  # Pillow releases the GIL
        return list(pool.map(image_module.write_product_images, specs))


@contextmanager
def _sqlite_cache() -> Iterator[None]:
    """A bigger SQLite page cache while seeding: index inserts stop waiting on I/O."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # up to 256 MiB, used only as needed
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class _BatchWriter:
    """Writes a batch of generated products, variants and images in one transaction."""

    PRODUCT_COLUMNS = [
        "id", "category", "name", "slug", "description", "price", "image",
        "is_active", "is_featured", "created_at",
    ]  # fmt: skip
    VARIANT_COLUMNS = ["product", "sku", "options", "price", "stock", "position"]
    IMAGE_COLUMNS = ["product", "path", "alt", "position"]

    def __init__(self, categories: dict[str, int]) -> None:
        self.categories = categories
        self.adapt_datetime = connection.ops.adapt_datetimefield_value
        self._options: dict[tuple, object] = {}

    def adapt_options(self, options: dict[str, str]) -> object:
        key = tuple(options.items())
        if key not in self._options:
            self._options[key] = connection.ops.adapt_json_value(options, None)
        return self._options[key]

    def write(self, specs: list[ProductSpec], paths: list[list[str]]) -> tuple[int, int]:
        """Returns (variants, images) written."""
        categories = self.categories
        with transaction.atomic():
            ids = _allocate_ids(Product, len(specs))
            products = [
                (pk, categories[spec.category], spec.name, spec.slug, spec.description,
                 spec.price, own[0] if own else "", True, spec.is_featured,
                 self.adapt_datetime(spec.created_at))
                for pk, spec, own in zip(ids, specs, paths, strict=True)
            ]  # fmt: skip
            _insert(Product, self.PRODUCT_COLUMNS, products)
            variants = [
                (pk, v.sku, self.adapt_options(v.options), v.price, v.stock, position)
                for pk, spec in zip(ids, specs, strict=True)
                for position, v in enumerate(spec.variants)
            ]
            _insert(Variant, self.VARIANT_COLUMNS, variants)  # type: ignore[arg-type]
            images = [
                (pk, path, spec.name[:200], position)
                for pk, spec, own in zip(ids, specs, paths, strict=True)
                for position, path in enumerate(own)
            ]
            _insert(ProductImage, self.IMAGE_COLUMNS, images)  # type: ignore[arg-type]
        return len(variants), len(images)


def seed_products(
    count: int,
    *,
    seed: int = 0,
    images: bool = True,
    batch_size: int = 5000,
    progress: Callable[[SeedResult], None] | None = None,
) -> SeedResult:
    """Create ``count`` demo products (and the categories) with bulk inserts, batch by batch.

    images=True draws one or two images per product (about 25 ms each); images=False points
    every product at one of a few shared images per subcategory and shape, drawn once.
    Product.price and Product.image are set directly, as product_refresh_summary would.
    Each batch is one transaction with a few multi-row INSERTs (COPY on PostgreSQL) per table,
    and the next batch is generated in a thread meanwhile.
    """
    started = time.monotonic()
    categories = {slug: c.pk for slug, c in ensure_categories().items()}
    result = SeedResult()
    has_products = Product.objects.exists()
    taken_slugs = set(Product.objects.values_list("slug", flat=True)) if has_products else set()
    taken_skus = set(Variant.objects.values_list("sku", flat=True)) if has_products else set()
    taken_names = set(Product.objects.values_list("name", flat=True)) if has_products else set()
    start = (Product.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    generator = ProductGenerator(seed=seed, taken_slugs=taken_slugs, taken_skus=taken_skus,
                                 taken_names=taken_names)
    shared = None if images else image_module.shared_images()
    workers = min(4, os.cpu_count() or 1)
    specs_iter = generator.products(count, start=start)
    sizes = [min(batch_size, count - first) for first in range(0, count, batch_size)]

    def prepare(size: int) -> tuple[list[ProductSpec], list[list[str]]]:
        """Invent a batch and draw its images: no database work, so it can run in a thread."""
        specs = [next(specs_iter) for _ in range(size)]
        if shared is None:
            return specs, _draw_images(specs, workers)
        paths = []
        for spec in specs:
            choices = shared.get((spec.category, spec.shape)) or shared[spec.category, None]
            paths.append([choices[spec.serial % len(choices)]])
        return specs, paths

    writer = _BatchWriter(categories)
    # SQLite and psycopg release the GIL while they work, so generating the next batch in a
    # thread overlaps with writing this one.
    with _sqlite_cache(), ThreadPoolExecutor(max_workers=1) as preparer:
        upcoming = preparer.submit(prepare, sizes[0]) if sizes else None
        for index, size in enumerate(sizes):
            specs, paths = upcoming.result()  # type: ignore[union-attr]
            if index + 1 < len(sizes):
                upcoming = preparer.submit(prepare, sizes[index + 1])
            variants, images_written = writer.write(specs, paths)
            result.products += size
            result.variants += variants
            result.images += images_written
            result.seconds = time.monotonic() - started
            if progress is not None:
                progress(result)
    result.seconds = time.monotonic() - started
    return result
