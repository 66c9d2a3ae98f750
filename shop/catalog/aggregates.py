"""Counts over a whole result, not a page: how many products a search or filter finds and its
facets (category, size, colour, price band), and the "did you mean" of a search that finds
nothing. Every such query lives here, and every answer is cached for FACETS_TTL seconds
(shared cache, keys from shop/core/cache_keys.py): the same for every visitor.

Facets cost a fixed number of queries whatever the size of the result (FACET_QUERIES, tested):
one groups the matching products by category and price band (which also gives the count), one
reads the ids of (at most OPTION_SAMPLE of) them, and one per option facet groups their
variants by the option's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.fields.json import KT

from shop.core import cache_keys

from . import search
from .models import Category, Variant
from .selectors import OPTION_FACETS, ProductFilters, category_list, product_queryset

FACETS_TTL = 60
FACET_QUERIES = 2 + len(OPTION_FACETS)
FACET_LIMIT = 30  # values shown per facet, the most frequent ones
# Option facets (size, colour) count the variants of at most this many of the matching
# products, scaled to the whole result: counting every variant of the whole catalog took 4 s
# at 100,000 products; a sample of 2,000 takes tens of ms. The result count stays exact.
OPTION_SAMPLE = 2_000


@dataclass(frozen=True)
class PriceBand:
    value: str
    label: str
    low: Decimal | None
    high: Decimal | None


PRICE_BANDS = (
    PriceBand("0-24.99", "Under €25", None, Decimal("24.99")),
    PriceBand("25-49.99", "€25 to €50", Decimal("25"), Decimal("49.99")),
    PriceBand("50-99.99", "€50 to €100", Decimal("50"), Decimal("99.99")),
    PriceBand("100-249.99", "€100 to €250", Decimal("100"), Decimal("249.99")),
    PriceBand("250-", "€250 and up", Decimal("250"), None),
)
SIZE_ORDER = {size: n for n, size in enumerate(
    ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "One size"]
)}


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facets:
    count: int
    groups: dict[str, list[FacetValue]] = field(default_factory=dict)
    # the size and colour counts are estimates (scaled from OPTION_SAMPLE products)
    estimated: bool = False
    # products per relevance tier (shop/catalog/search.py), for numbered pages of a search
    tiers: list[int] = field(default_factory=list)


def facets(filters: ProductFilters, *, categories: list[Category] | None = None) -> Facets:
    """The count and facets of everything `filters` match (cached)."""
    key = cache_keys.catalog_facets(filters=filters.canonical)
    found = cache.get(key)
    if found is None:
        found = _facets(filters, category_list() if categories is None else categories)
        cache.set(key, found, FACETS_TTL)
    return found


def _size_key(value: FacetValue) -> tuple:
    label = value.label
    number = label.removeprefix("EU ").split("-")[0]
    return (SIZE_ORDER.get(label, 100), float(number) if number.replace(".", "").isdigit()
            else 0, label)


def _grouped(base, conditions: list) -> list[tuple]:
    """(category, price band, products, products per tier) of `base`: one query."""
    band = Case(
        *[When(price__lte=b.high, then=Value(n)) for n, b in enumerate(PRICE_BANDS) if b.high],
        default=Value(len(PRICE_BANDS) - 1), output_field=IntegerField(),
    )
    per_tier = {f"tier{n}": Count("pk", filter=condition)
                for n, condition in enumerate(conditions) if condition}
    rows = base.annotate(band=band).values_list("category_id", "band").annotate(
        n=Count("pk"), **per_tier).order_by()
    return [(category, band, n, in_tiers if per_tier else [n])
            for category, band, n, *in_tiers in rows]


def _facets(filters: ProductFilters, categories: list[Category]) -> Facets:
    found_terms = search.terms(filters.q)
    conditions = search.tiers(found_terms)
    base = product_queryset(filters, categories=categories, typo=False).order_by()
    rows = _grouped(base, conditions)
    if not rows and search.has_typo_tier(found_terms):  # full text found nothing: typos
        base = product_queryset(filters, categories=categories, typo=True).order_by()
        rows = [(category, band, n, [0] * len(conditions) + [n])
                for category, band, n, _ in _grouped(base, [])]
    by_category: dict[int, int] = {}
    by_band = [0] * len(PRICE_BANDS)
    tiers = [0] * (len(conditions) + search.has_typo_tier(found_terms))
    for category_id, band_number, n, in_tiers in rows:
        by_category[category_id] = by_category.get(category_id, 0) + n
        by_band[band_number] += n
        for number, found in enumerate(in_tiers):
            tiers[number] += found
    names = {c.pk: c for c in categories}
    groups = {
        "category": sorted(
            (FacetValue(names[pk].slug, names[pk].name, n) for pk, n in by_category.items()
             if pk in names),
            key=lambda v: (-v.count, v.label),
        )[:FACET_LIMIT],
        "price": [FacetValue(b.value, b.label, n) for b, n in zip(PRICE_BANDS, by_band, strict=True)
                  if n],
    }
    count = sum(by_band)
    estimated = count > OPTION_SAMPLE
    # The ids first, as a list: joined as a subquery, PostgreSQL hashed them and read every
    # variant of the catalog (550,000 rows, 300-600 ms); a list of ids goes through the
    # variants' product index.
    ids = list(base.values_list("pk", flat=True)[:OPTION_SAMPLE])
    scale = count / OPTION_SAMPLE if estimated else 1
    for key in OPTION_FACETS:
        values = list(
            Variant.objects.filter(product_id__in=ids).annotate(option=KT(f"options__{key}"))
            .values_list("option").annotate(n=Count("product_id",
                                                                         distinct=True))
            .order_by("-n", "option")[:FACET_LIMIT + 1]
        )
        # (no NULL filter in SQL: it made PostgreSQL read the option of every variant first)
        found = [FacetValue(str(value), str(value), max(1, round(n * scale)))
                 for value, n in values if value is not None]
        groups[key] = sorted(found, key=_size_key) if key == "size" else found
    return Facets(count=count, groups=groups, estimated=estimated, tiers=tiers)


def price_band(value: str) -> PriceBand | None:
    return next((b for b in PRICE_BANDS if b.value == value), None)


def suggestion(q: str) -> str:
    """"Did you mean" for a search text that found nothing (cached), or ""."""
    key = cache_keys.catalog_suggestion(q=" ".join(search.terms(q).words))
    found = cache.get(key)
    if found is None:
        found = search.suggestion(q)
        cache.set(key, found, FACETS_TTL)
    return found
