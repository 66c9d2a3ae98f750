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
from django.utils.formats import get_format, localize

from shop.catalog.selectors import ProductSummary

_SLUG = "__slug__"  # a valid slug, replaced by each product's: one reverse per list


def plain_number(value) -> str:
    """What `{{ value }}` shows for a number (localize()), without its per-call language and
    format lookups when no thousand separator is set (the shop's case): they were ~90 per list
    page."""
    return localize(value) if settings.USE_THOUSAND_SEPARATOR else str(value)


def price_text(amount, currency: str, *, separator: str | None = None) -> str:
    """What web/includes/price.html shows: "€12.50", or "12.50 USD" for another currency.
    `separator`: the decimal separator, looked up once per list by the caller."""
    if settings.USE_THOUSAND_SEPARATOR:
        shown = localize(amount)
    else:
        shown = f"{amount:f}".replace(".", separator or get_format("DECIMAL_SEPARATOR"))
    return f"€{shown}" if currency == "EUR" else f"{shown} {currency}"


def product_cards(items: Iterable[ProductSummary]) -> list[dict]:
    """The values a product card shows, as dicts (the template's fastest lookup)."""
    detail = reverse("web:product_detail", args=[_SLUG])
    media = settings.MEDIA_URL
    separator = get_format("DECIMAL_SEPARATOR")
    return [
        {
            "url": detail.replace(_SLUG, p.slug),
            "image": f"{media}{p.image}" if p.image else "",
            "category": p.category.name,
            "name": p.name,
            "price": price_text(p.price, p.currency, separator=separator),
            "in_stock": p.in_stock,
        }
        for p in items
    ]


def category_nav(top_categories, *, category=None, filters=None) -> dict:
    """The category bar (web/includes/category_nav.html): one reverse for all its links, and
    which one is the current page (the category, its parent, or the category filter chosen)."""
    link = reverse("web:category", args=[_SLUG])
    chosen = filters.category if filters is not None else ""
    return {
        "all_current": filters is not None and category is None and not chosen,
        "links": [
            {
                "url": link.replace(_SLUG, c.slug),
                "name": c.name,
                "current": (category is not None and c.pk in (category.pk, category.parent_id))
                or (bool(chosen) and chosen == c.slug),
            }
            for c in top_categories
        ],
    }


def category_options(categories, chosen: object) -> list[dict]:
    """The filter form's category choices, in tree order, with the chosen one marked."""
    return [{"slug": c.slug, "label": c.tree_label, "selected": chosen == c.slug}
            for c in categories]


def sort_options(choices, chosen: object) -> list[dict]:
    """The filter form's sort choices: relevance is the empty value (the default)."""
    chosen = chosen or "relevance"
    return [{"value": "" if value == "relevance" else value, "label": label,
             "selected": value == chosen} for value, label in choices]
