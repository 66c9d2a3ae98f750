"""Create demo categories and N generated products (with variants) using bulk inserts.

manage.py seed_catalog --products 100000 --no-images
"""

from argparse import BooleanOptionalAction

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shop.catalog.models import Product, ProductImage, Variant
from shop.demo.loader import SeedResult, seed_products

AUTO_IMAGES_UP_TO = 2000


class Command(BaseCommand):
    help = "Create the demo categories (if missing) and N generated products with variants."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--products", type=int, default=1000, help="how many (default 1000)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--images",
            action=BooleanOptionalAction,
            default=None,
            help=(
                "draw an image per product (--images), or share a few per subcategory "
                f"(--no-images); default: --images up to {AUTO_IMAGES_UP_TO} products"
            ),
        )
        parser.add_argument("--batch", type=int, default=5000, help="products per transaction")

    def handle(self, *args, products: int, seed: int, images: bool | None, batch: int, **opts):
        if products < 0:
            raise CommandError("--products must be 0 or more.")
        if batch < 1:
            raise CommandError("--batch must be 1 or more.")
        if images is None:
            images = products <= AUTO_IMAGES_UP_TO
        verbose = opts.get("verbosity", 1) > 1

        def progress(result: SeedResult) -> None:
            if verbose:
                self.stdout.write(f"  {result.products} products, {result.seconds:.1f} s")

        result = seed_products(
            products, seed=seed, images=images, batch_size=batch, progress=progress
        )
        if connection.vendor == "postgresql" and result.products:
            tables = ", ".join(
                connection.ops.quote_name(model._meta.db_table)
                for model in (Product, Variant, ProductImage)
            )
            with connection.cursor() as cursor:  # planner statistics for the new rows
                cursor.execute(f"ANALYZE {tables}")
        rate = result.products / result.seconds if result.seconds else 0
        self.stdout.write(
            f"Seeded {result.products} products, {result.variants} variants and "
            f"{result.images} images ({'drawn' if images else 'shared'}) "
            f"in {result.seconds:.1f} s ({rate:,.0f} products/s)."
        )
