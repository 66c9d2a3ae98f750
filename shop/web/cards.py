"""Product cards of the storefront lists, computed once per product in Python (issue 16).

A list page shows 24 cards. Rendered as an include per card (plus a nested price include and a
`{% url %}` each) they were most of an uncached /products/ render; here each card's URL, image
and price text are plain values, and the grid template (web/includes/product_grid.html) loops
over them without an include or a reverse. The HTML is the same as the includes produced.
The category bar, the filter form's choices and the facet links are computed here likewise,
and the text they show is escaped here once (`written`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.formats import get_format, localize
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from shop.catalog import aggregates
from shop.catalog.selectors import ProductSummary

_SLUG = "__slug__"  # a valid slug, replaced by each product's: one reverse per list


def written(text: str) -> SafeString:
    """`text` escaped exactly as `{{ text }}` would write it (django.utils.html.escape is
    html.escape), once here: the template then writes it as it is. ~350 values per list page
    went through the template's escape, lazy-argument check and localize one by one."""
    return SafeString(html.escape(text))


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
            "url": written(detail.replace(_SLUG, p.slug)),
            "image": written(f"{media}{p.image}") if p.image else "",
            "category": written(p.category.name),
            "name": written(p.name),
            "price": written(price_text(p.price, p.currency, separator=separator)),
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
                "url": written(link.replace(_SLUG, c.slug)),
                "name": written(c.name),
                "current": (category is not None and c.pk in (category.pk, category.parent_id))
                or (bool(chosen) and chosen == c.slug),
            }
            for c in top_categories
        ],
    }


def category_options(categories, chosen: object) -> list[dict]:
    """The filter form's category choices, in tree order, with the chosen one marked."""
    return [{"slug": written(c.slug), "label": written(c.tree_label), "selected": chosen == c.slug}
            for c in categories]


def sort_options(choices, chosen: object) -> list[dict]:
    """The filter form's sort choices: relevance is the empty value (the default)."""
    chosen = chosen or "relevance"
    return [{"value": "" if value == "relevance" else value, "label": label,
             "selected": value == chosen} for value, label in choices]


def query_url(params: dict, **changes) -> str:
    """"?" + the listing's query string with `changes` applied (empty values dropped)."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in ("", None)}
    return "?" + urlencode(merged) if merged else "?"


def facet_links(found: aggregates.Facets, params: dict, *, in_category: bool) -> list[dict]:
    """Each facet value with the URL that applies it (and the one that removes it)."""
    groups = []
    for name, title in (("category", "Category"), ("size", "Size"), ("colour", "Colour"),
                        ("price", "Price")):
        values = found.groups.get(name) or []
        if not values or (name == "category" and in_category):
            continue
        links = []
        for value in values:
            if name == "price":
                band = aggregates.price_band(value.value)
                changes = {"min_price": band.low if band and band.low else "",
                           "max_price": band.high if band and band.high else ""}
                chosen = all(str(params.get(k, "")) == str(v) for k, v in changes.items())
            else:
                changes = {name: value.value}
                chosen = params.get(name) == value.value
            about = found.estimated and name in ("size", "colour")  # scaled from a sample
            url = query_url(params, page="", **({k: "" for k in changes} if chosen else changes))
            links.append({"label": written(value.label), "chosen": chosen, "url": written(url),
                          "count": written(f"~{value.count}" if about else
                                           plain_number(value.count))})
        groups.append({"name": name, "title": title, "values": links})
    return groups
