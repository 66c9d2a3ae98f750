"""Reads of the catalog. Everything here is public data: the same answer for every visitor."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import orjson
from django.conf import settings
from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL

from shop.core.errors import InvalidInput, NotFound
from shop.core.pagination import Page

from . import cursors, search
from .categories import (  # noqa: F401 - the catalog's reads, in one place
    category_get,
    category_list,
    category_tree,
    category_tree_choices,
    category_with_descendant_ids,
)
from .models import Category, Product, ProductImage, Variant

MAX_QUERY_LENGTH = 100
MAX_PRICE = cursors.MAX_PRICE
# Option filters and facets (variant options): the keys the storefront offers.
OPTION_FACETS = ("size", "colour")
MAX_OPTION_LENGTH = 60
# Numbered pages reach the first MAX_RESULTS products of a result (an OFFSET: deeper pages
# would cost more with each page); lists sorted by a column page on with a cursor instead.
MAX_RESULTS = 10_000


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool


SORTS: dict[str, Sort] = {
    "newest": Sort("created_at", descending=True),
    "price": Sort("price", descending=False),
    "-price": Sort("price", descending=True),
    "name": Sort("name", descending=False),
    "-name": Sort("name", descending=True),
    # most relevant first: the default with a search text (shop/catalog/search.py)
    "relevance": Sort("rank", descending=True),
}
DEFAULT_SORT = "newest"
RELEVANCE = cursors.RELEVANCE


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    # "" = relevance with a search text, newest without
    sort: str = ""
    size: str = ""
    colour: str = ""

    def __post_init__(self) -> None:
        if len(self.q) > MAX_QUERY_LENGTH:
            raise InvalidInput(f"The search text is longer than {MAX_QUERY_LENGTH} characters.")
        if "\x00" in self.q:
            # PostgreSQL refuses NUL in text: say so instead of failing with a 500.
            raise InvalidInput("The search text contains a character that is not allowed.")
        if self.sort and self.sort not in SORTS:
            raise InvalidInput("Unknown sort; use one of: " + ", ".join(SORTS) + ".")
        for option in (self.size, self.colour):
            if len(option) > MAX_OPTION_LENGTH or "\x00" in option:
                raise InvalidInput("This size or colour is not one the shop has.")
        for price in (self.min_price, self.max_price):
            if price is not None and not (Decimal(0) <= price <= MAX_PRICE):
                raise InvalidInput("Prices must be between 0 and 99999999.99.")
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise InvalidInput("The minimum price is above the maximum price.")

    @property
    def is_default(self) -> bool:
        return self == ProductFilters()

    @property
    def effective_sort(self) -> str:
        """The order the list is in: relevance needs a search text."""
        if self.sort == RELEVANCE or not self.sort:
            return RELEVANCE if search.terms(self.q).words else DEFAULT_SORT
        return self.sort

    @property
    def canonical(self) -> str:
        """These filters as one text (for cache keys): equal filters, equal text."""
        return orjson.dumps([
            " ".join(search.terms(self.q).words), self.category, str(self.min_price),
            str(self.max_price), self.in_stock, self.size, self.colour,
        ]).decode()


@dataclass(frozen=True, slots=True)
class CategoryRef:
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class ProductSummary:
    """A product as lists show it (storefront cards, API lists): plain values, no model."""

    pk: int
    slug: str
    name: str
    price: Decimal
    currency: str
    image: str
    created_at: dt.datetime
    in_stock: bool
    category: CategoryRef


def parse_price(value: str | None) -> Decimal | None:
    """A price typed by a person ("12", "12.5", "12.50"); empty means no bound."""
    if value is None or value.strip() == "":
        return None
    try:
        price = Decimal(value.strip())
    except InvalidOperation:
        raise InvalidInput("Prices must be numbers, like 19.99.") from None
    if not price.is_finite():
        raise InvalidInput("Prices must be numbers, like 19.99.")
    return price.quantize(Decimal("0.01"))


# --- products


def _in_stock() -> Exists:
    """True for a product with a variant in stock; for filtering."""
    return Exists(Variant.objects.filter(product=OuterRef("pk"), stock__gt=0))


# The same test as _in_stock() for the columns of a list, written out: building and compiling
# Exists() per request cost 0.35 ms of CPU, a fifth of a product-list request (make bench).
# "LIMIT 1 OFFSET 0" keeps PostgreSQL from planning it as a hashed subplan that reads every
# variant in stock to answer for one page: it did so below ~10k products (2-4 ms instead of
# 0.3 ms for a page at 1k products). Constant SQL: table names from the models, no input.
_IN_STOCK_SQL = (
    f'EXISTS (SELECT 1 FROM "{Variant._meta.db_table}" V'  # noqa: S608
    f' WHERE V."product_id" = "{Product._meta.db_table}"."id" AND V."stock" > 0'
    " LIMIT 1 OFFSET 0)"
)
_SUMMARY_FIELDS = (
    "pk", "slug", "name", "price", "image", "created_at", "category__slug", "category__name",
)


def _summaries(queryset: QuerySet[Product]) -> list[ProductSummary]:
    """Rows of `queryset` (filtered, ordered and sliced by the caller) as ProductSummary, with
    their category and in-stock flag, in one query. values_list instead of model instances and
    select_related: 0.35 ms less CPU per page of 24."""
    rows = queryset.annotate(
        listed_in_stock=RawSQL(_IN_STOCK_SQL, (), output_field=BooleanField())  # noqa: S611
    ).values_list(*_SUMMARY_FIELDS, "listed_in_stock")
    currency = settings.SHOP_CURRENCY
    return [
        ProductSummary(pk, slug, name, price, currency, image, created_at, bool(in_stock),
                       CategoryRef(category_slug, category_name))
        for pk, slug, name, price, image, created_at, category_slug, category_name,
        in_stock in rows
    ]


def product_queryset(
    filters: ProductFilters, *, categories: list[Category] | None = None,
    typo: bool | None = None,
) -> QuerySet[Product]:
    """The active products these filters and search words match, unordered: what lists page
    through and what facets count (shop/catalog/aggregates.py). `typo`: search.matching."""
    queryset = Product.objects.filter(is_active=True)
    if filters.category:
        ids = category_with_descendant_ids(
            slug=filters.category, categories=category_list() if categories is None else categories
        )
        queryset = queryset.filter(category_id__in=ids)
    if filters.min_price is not None:
        queryset = queryset.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(price__lte=filters.max_price)
    if filters.in_stock:
        queryset = queryset.filter(_in_stock())
    for key, value in (("size", filters.size), ("colour", filters.colour)):
        if value:
            queryset = queryset.filter(Exists(Variant.objects.filter(
                product=OuterRef("pk"), **{f"options__{key}": value}
            )))
    return search.matching(queryset, search.terms(filters.q), typo=typo)


def _sorted(filters: ProductFilters, categories: list[Category] | None,
            tier_counts: list[int] | None) -> QuerySet[Product]:
    """Sorted by a column; a search corrects typos when its (counted) typo tier has products."""
    sort = SORTS[filters.effective_sort]
    prefix = "-" if sort.descending else ""
    typo = (bool(tier_counts[-1]) and search.has_typo_tier(search.terms(filters.q))
            if tier_counts else None)
    return product_queryset(filters, categories=categories, typo=typo).order_by(
        f"{prefix}{sort.field}", f"{prefix}pk"
    )


def _tiers(filters: ProductFilters, categories: list[Category] | None) -> list[QuerySet]:
    """The relevance tiers of a search (shop/catalog/search.py), each newest first; the last
    is the typo tier when the search has one (read only when the others are empty)."""
    found = search.terms(filters.q)
    base = product_queryset(filters, categories=categories, typo=False)
    tiers = [base.filter(tier) for tier in search.tiers(found)]
    if search.has_typo_tier(found):
        tiers.append(product_queryset(filters, categories=categories, typo=True))
    # The first tier may walk the created_at index (a common word fills a page within a few
    # hundred rows). The others are small (category-only matches, typos) but PostgreSQL cannot
    # tell: it estimated "matches the words AND NOT in the name" at 90% of the word's matches
    # and walked the whole index (340 ms for "cotton" at 100k, and 1.3 s for the typo tier).
    # Ordering them by an expression the index does not have keeps them on the GIN indexes.
    later = (ExpressionWrapper(F("created_at") + Value(dt.timedelta(0)),
                               output_field=DateTimeField())
             if search.is_postgres() else F("created_at"))
    return [tier.order_by("-created_at", "-pk") if number == 0
            else tier.order_by(later.desc(), "-pk") for number, tier in enumerate(tiers)]


def _rows(queryset: QuerySet[Product], offset: int, count: int) -> list[ProductSummary]:
    """`count` rows from `offset`: one query for the first rows; further in, the ids first
    (the in-stock test then runs for those rows only, not for every row skipped), then the
    rows: two."""
    if offset == 0:
        return _summaries(queryset[:count])
    ids = list(queryset.values_list("pk", flat=True)[offset: offset + count])
    by_pk = {row.pk: row for row in _summaries(Product.objects.filter(pk__in=ids))}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _relevance_list(filters: ProductFilters, cursor: str | None, limit: int) -> Page:
    """Keyset pages across the tiers: the cursor names the tier and the last product."""
    tiers = _tiers(filters, None)
    first, after = 0, None
    if cursor:
        first, when, pk = cursors.decode_tier(cursor)
        after = Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk)
    rows: list[tuple[int, ProductSummary]] = []
    typo_tier = len(search.tiers(search.terms(filters.q)))
    for number in range(first, len(tiers)):
        if number == typo_tier and (rows or (cursor and first < typo_tier)):
            break  # full text found products: no typo tier (search.matching)
        queryset = tiers[number].filter(after) if after and number == first else tiers[number]
        rows += [(number, row) for row in _summaries(queryset[: limit + 1 - len(rows)])]
        if len(rows) > limit:
            break
    items = [row for _, row in rows[:limit]]
    more = len(rows) > limit
    return Page(items=items,
                next_cursor=cursors.encode_tier(rows[limit - 1][0], items[-1]) if more else None)


def product_list(
    *, filters: ProductFilters, cursor: str | None = None, limit: int = 24
) -> Page[ProductSummary]:
    """One page of active products (the API), keyset-paginated: one query (two with a
    category) when sorted by a column; by relevance (a search), one per tier the page
    reaches."""
    if len(cursor or "") > 400:
        raise InvalidInput("The cursor is not valid for this list; start again from the first "
                           "page.")
    sort_key = filters.effective_sort
    if sort_key == RELEVANCE:
        return _relevance_list(filters, cursor, limit)
    sort = SORTS[sort_key]
    after = Q()
    if cursor:
        value, pk = cursors.decode_keyset(cursor, sort_key, sort.field)
        if sort.descending:
            after = Q(**{f"{sort.field}__lt": value}) | Q(**{sort.field: value, "pk__lt": pk})
        else:
            after = Q(**{f"{sort.field}__gt": value}) | Q(**{sort.field: value, "pk__gt": pk})
    prefix = "-" if sort.descending else ""
    rows: list[ProductSummary] = []
    # Full text first; a typo only when it finds nothing (search.matching). A page after a
    # full-text page is never empty (a cursor is given only when a row follows), so an empty
    # one means the pages are the typo matches: one query, two for a typo.
    for typo in (False, True)[: 1 + search.has_typo_tier(search.terms(filters.q))]:
        queryset = product_queryset(filters, typo=typo).filter(after)
        rows = _summaries(queryset.order_by(f"{prefix}{sort.field}", f"{prefix}pk")[: limit + 1])
        if rows:
            break
    items = rows[:limit]
    after_last = cursors.encode_keyset(sort_key, sort.field, items[-1]) if items else None
    return Page(items=items, next_cursor=after_last if len(rows) > limit else None)


def product_page(
    *, filters: ProductFilters, number: int = 1, per_page: int = 24,
    categories: list[Category] | None = None, tier_counts: list[int] | None = None,
) -> list[ProductSummary]:
    """Page `number` (from 1) of a numbered list (the storefront). By relevance, the pages
    run through the tiers; `tier_counts` (from the cached facets) says where each begins."""
    offset = (number - 1) * per_page
    if number < 1 or offset >= MAX_RESULTS:
        raise InvalidInput(f"Pages go from 1 to {MAX_RESULTS // per_page}.")
    if filters.effective_sort != RELEVANCE:
        return _rows(_sorted(filters, categories, tier_counts), offset, per_page)
    items: list[ProductSummary] = []
    for tier, count in zip(_tiers(filters, categories), tier_counts or [], strict=False):
        if offset >= count:
            offset -= count
            continue
        items += _rows(tier, offset, per_page - len(items))
        offset = 0
        if len(items) >= per_page:
            break
    return items


def product_featured(*, limit: int = 8) -> list[ProductSummary]:
    queryset = Product.objects.filter(is_active=True, is_featured=True)
    return _summaries(queryset.order_by("-created_at", "-pk")[:limit])


def product_get(*, slug: str) -> Product:
    """An active product with its category, variants and images: three queries."""
    queryset = Product.objects.filter(is_active=True).select_related("category", "category__parent")
    queryset = queryset.prefetch_related(
        Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
    )
    if "\x00" in slug:
        raise NotFound("This product does not exist.")
    try:
        return queryset.get(slug=slug)
    except Product.DoesNotExist:
        raise NotFound("This product does not exist.") from None
