"""`{% totals_of source as totals %}`: the amounts of a priced cart (shop.orders.pricing.Quote)
or of an order (shop.orders.models.Order) in one shape, for the one totals block
(web/includes/totals.html) that the cart, every checkout step and the order pages share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings

from shop.core.addresses import SHIPPING_COUNTRIES
from shop.orders.models import Order
from shop.orders.pricing import Quote

register = template.Library()


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}"


@register.simple_tag
def totals_of(source: Any) -> dict[str, Any]:
    if isinstance(source, Order):
        return {
            "subtotal": source.subtotal, "discount": source.discount_total,
            "discount_code": source.discount_code, "discount_problem": "",
            "shipping": source.shipping_total, "tax": source.tax_total,
            "tax_included": source.tax_included, "total": source.total,
            "tax_name": "VAT" if source.tax_included else "Tax",
            "tax_percent": _percent(source.tax_rate) if source.tax_rate else "",
            "tax_country": SHIPPING_COUNTRIES.get(source.ship_country, source.ship_country),
            "currency": source.currency,
        }
    if isinstance(source, Quote):
        destination = source.destination
        country = destination.country if destination is not None else ""
        return {
            "subtotal": source.subtotal, "discount": source.discount,
            "discount_code": source.discount_code or "",
            "discount_problem": source.discount_problem or "",
            "shipping": source.shipping, "tax": source.tax,
            "tax_included": source.tax_included, "total": source.total,
            "tax_name": source.tax_name,
            "tax_percent": _percent(source.priced.tax_rate) if source.priced.tax_rate else "",
            "tax_country": SHIPPING_COUNTRIES.get(country, country),
            "currency": settings.SHOP_CURRENCY,
        }
    return {}
