"""Prices the server computes. Nothing a client sends is ever used as a price or a total."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from shop.shipping.models import ShippingMethod

CENT = Decimal("0.01")
FREE_SHIPPING_METHOD = "standard"


def free_shipping_threshold() -> Decimal:
    return Decimal(str(settings.SHOP_FREE_SHIPPING_OVER))


def shipping_price(*, method: ShippingMethod, subtotal: Decimal) -> Decimal:
    """Standard delivery is free from the threshold up (the shop's promise); other methods
    cost their price."""
    if method.code == FREE_SHIPPING_METHOD and subtotal >= free_shipping_threshold():
        return Decimal("0.00")
    return method.price.quantize(CENT)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal

    @property
    def total(self) -> Decimal:
        return (self.subtotal + self.shipping).quantize(CENT)


def totals_for(*, subtotal: Decimal, method: ShippingMethod) -> Totals:
    subtotal = subtotal.quantize(CENT)
    return Totals(subtotal=subtotal, shipping=shipping_price(method=method, subtotal=subtotal))
