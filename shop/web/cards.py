"""Product cards of the storefront lists, computed once per product in Python (issue 16).

A list page shows 24 cards. Rendered as an include per card (plus a nested price include and a
`{% url %}` each) they were most of an uncached /products/ render; here each card's URL, image
and price text are plain values, and the grid template (web/includes/product_grid.html) loops
over them without an include or a reverse. The HTML is the same as the includes produced.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.formats import localize

from shop.catalog.selectors import ProductSummary

_SLUG = "__slug__"  # a valid slug, replaced by each product's: one reverse per list


def price_text(amount, currency: str) -> str:
    """What web/includes/price.html shows: "€12.50", or "12.50 USD" for another currency."""
    shown = localize(amount)
    return f"€{shown}" if currency == "EUR" else f"{shown} {currency}"


def product_cards(items: Iterable[ProductSummary]) -> list[dict]:
    """The values a product card shows, as dicts (the template's fastest lookup)."""
    detail = reverse("web:product_detail", args=[_SLUG])
    media = settings.MEDIA_URL
    return [
        {
            "url": detail.replace(_SLUG, p.slug),
            "image": f"{media}{p.image}" if p.image else "",
            "category": p.category.name,
            "name": p.name,
            "price": price_text(p.price, p.currency),
            "in_stock": p.in_stock,
        }
        for p in items
    ]
