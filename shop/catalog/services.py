"""Writes to the catalog."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Min

from shop.core.errors import InvalidInput

from .models import Product, Variant

MAX_PRICE = Decimal("99999999.99")


@transaction.atomic
def product_refresh_summary(*, product: Product) -> Product:
    """Recompute the main image of a product, and its list price (the lowest variant price:
    the database keeps that one by itself, migration 0005; read here so the instance
    agrees)."""
    lowest = product.variants.aggregate(lowest=Min("price"))["lowest"]
    first_image = product.images.order_by("position", "pk").values_list("path", flat=True).first()
    product.price = lowest if lowest is not None else product.price
    product.image = first_image or ""
    product.save(update_fields=["price", "image"])
    return product


# --- staff edits (shop/staff/services.py checks the role and writes the audit record;
# stock adjustments live with all other stock changes in shop/orders/stock.py)


@transaction.atomic
def variant_price_set(*, variant_id: int, price: Decimal) -> tuple[Variant, Decimal]:
    """A new price for a variant (and its product's list price). Returns the variant and its
    previous price."""
    if not (Decimal("0") <= price <= MAX_PRICE) or price != price.quantize(Decimal("0.01")):
        raise InvalidInput("Enter a price between 0 and 99999999.99, with at most two "
                           "decimals.", code="invalid_price")
    price = price.quantize(Decimal("0.01"))  # "0" is kept and told as 0.00
    variant = Variant.objects.select_for_update().select_related("product").filter(
        pk=variant_id
    ).first()
    if variant is None:
        raise InvalidInput("This variant no longer exists.", code="unknown_variant")
    previous = variant.price
    variant.price = price
    variant.save(update_fields=["price"])
    product_refresh_summary(product=variant.product)
    return variant, previous
