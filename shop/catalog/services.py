"""Writes to the catalog."""

from django.db import transaction
from django.db.models import Min

from .models import Product


@transaction.atomic
def product_refresh_summary(*, product: Product) -> Product:
    """Recompute the list price (lowest variant price) and main image of a product."""
    lowest = product.variants.aggregate(lowest=Min("price"))["lowest"]
    first_image = product.images.order_by("position", "pk").values_list("path", flat=True).first()
    product.price = lowest if lowest is not None else product.price
    product.image = first_image or ""
    product.save(update_fields=["price", "image"])
    return product
