"""Writes to the catalog."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Min

from shop.core.errors import Conflict, InvalidInput

from .models import Product, StockAdjustment, StockAdjustmentReason, Variant

MAX_STOCK_DELTA = 100_000
MAX_PRICE = Decimal("99999999.99")


@transaction.atomic
def product_refresh_summary(*, product: Product) -> Product:
    """Recompute the list price (lowest variant price) and main image of a product."""
    lowest = product.variants.aggregate(lowest=Min("price"))["lowest"]
    first_image = product.images.order_by("position", "pk").values_list("path", flat=True).first()
    product.price = lowest if lowest is not None else product.price
    product.image = first_image or ""
    product.save(update_fields=["price", "image"])
    return product


# --- staff edits (shop/staff/services.py checks the role and writes the audit record)


@transaction.atomic
def stock_adjust(
    *, variant_id: int, delta: int, reason: str, note: str = "", actor_id: int | None
) -> StockAdjustment:
    """Adds (or, negative, takes) `delta` units, recorded with who and why. One conditional
    UPDATE: concurrent sales and adjustments never drive stock below zero."""
    if reason not in StockAdjustmentReason.values:
        raise InvalidInput("Choose a reason for the adjustment.", code="invalid_reason")
    if delta == 0 or abs(delta) > MAX_STOCK_DELTA:
        raise InvalidInput(
            f"Adjust by a whole number of units between -{MAX_STOCK_DELTA} and "
            f"{MAX_STOCK_DELTA}, not zero.", code="invalid_delta",
        )
    note = " ".join((note or "").split())[:200]
    if reason == StockAdjustmentReason.OTHER and not note:
        raise InvalidInput("Say why in the note when the reason is \"Other\".",
                           code="note_required")
    changed = Variant.objects.filter(pk=variant_id, stock__gte=max(0, -delta)).update(
        stock=F("stock") + delta
    )
    if not changed:
        if not Variant.objects.filter(pk=variant_id).exists():
            raise InvalidInput("This variant no longer exists.", code="unknown_variant")
        raise Conflict("Stock cannot go below zero.", code="stock_below_zero")
    stock_after = Variant.objects.filter(pk=variant_id).values_list("stock", flat=True).get()
    return StockAdjustment.objects.create(
        variant_id=variant_id, delta=delta, stock_after=stock_after, reason=reason, note=note,
        actor_id=actor_id,
    )


@transaction.atomic
def variant_price_set(*, variant_id: int, price: Decimal) -> tuple[Variant, Decimal]:
    """A new price for a variant (and its product's list price). Returns the variant and its
    previous price."""
    if not (Decimal("0") <= price <= MAX_PRICE) or price != price.quantize(Decimal("0.01")):
        raise InvalidInput("Enter a price between 0 and 99999999.99, with at most two "
                           "decimals.", code="invalid_price")
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
