"""Reads of the catalog. Everything here is public data: the same answer for every visitor."""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import orjson
from django.conf import settings
from django.db.models import BooleanField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from shop.core.errors import InvalidInput, NotFound
from shop.core.pagination import Page

from .models import Category, Product, ProductImage, Variant

MAX_QUERY_LENGTH = 100
MAX_PRICE = Decimal("99999999.99")


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
}
DEFAULT_SORT = "newest"


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    sort: str = DEFAULT_SORT

    def __post_init__(self) -> None:
        if len(self.q) > MAX_QUERY_LENGTH:
            raise InvalidInput(f"The search text is longer than {MAX_QUERY_LENGTH} characters.")
        if "\x00" in self.q:
            # PostgreSQL refuses NUL in text: say so instead of failing with a 500.
            raise InvalidInput("The search text contains a character that is not allowed.")
        if self.sort not in SORTS:
            raise InvalidInput("Unknown sort; use one of: " + ", ".join(SORTS) + ".")
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


# --- categories


def category_list() -> list[Category]:
    return list(Category.objects.select_related("parent").order_by("position", "name"))


def category_get(*, slug: str) -> Category:
    try:
        return Category.objects.select_related("parent").get(slug=slug)
    except Category.DoesNotExist:
        raise NotFound("This category does not exist.") from None


def category_with_descendant_ids(*, slug: str, categories: list[Category]) -> list[int]:
    by_slug = {category.slug: category for category in categories}
    root = by_slug.get(slug)
    if root is None:
        raise NotFound("This category does not exist.")
    children: dict[int | None, list[int]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category.pk)
    ids, stack = [], [root.pk]
    while stack:
        current = stack.pop()
        ids.append(current)
        stack.extend(children.get(current, []))
    return ids


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


def _encode_cursor(sort: str, product: ProductSummary) -> str:
    value = getattr(product, SORTS[sort].field)
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = orjson.dumps([sort, str(value), product.pk])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[object, int]:
    """A cursor made by _encode_cursor for the same sort, or InvalidInput."""
    invalid = InvalidInput(
        "The cursor is not valid for this list; start again from the first page."
    )
    if len(cursor) > 400:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, pk = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        raise invalid from None
    if cursor_sort != sort or not isinstance(value, str) or type(pk) is not int:
        raise invalid
    if not 0 < pk < 2**63 or "\x00" in value:
        raise invalid
    field = SORTS[sort].field
    try:
        if field == "price":
            parsed: object = Decimal(value)
            if not (parsed.is_finite() and Decimal(0) <= parsed <= MAX_PRICE):  # type: ignore[attr-defined, operator]
                raise invalid
        elif field == "created_at":
            parsed = dt.datetime.fromisoformat(value)
            if parsed.utcoffset() is None:
                raise invalid
            parsed = parsed.astimezone(dt.UTC)  # OverflowError near year 1 or 9999
        else:
            parsed = value
    except (InvalidOperation, ValueError, OverflowError):
        raise invalid from None
    return parsed, pk


def product_list(
    *, filters: ProductFilters, cursor: str | None = None, limit: int = 24
) -> Page[ProductSummary]:
    """One page of active products, keyset-paginated: one query (two with a category)."""
    queryset = Product.objects.filter(is_active=True)
    if filters.category:
        ids = category_with_descendant_ids(slug=filters.category, categories=category_list())
        queryset = queryset.filter(category_id__in=ids)
    if filters.q:
        for word in filters.q.split()[:8]:
            queryset = queryset.filter(name__icontains=word)
    if filters.min_price is not None:
        queryset = queryset.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(price__lte=filters.max_price)
    if filters.in_stock:
        queryset = queryset.filter(_in_stock())

    sort = SORTS[filters.sort]
    if cursor:
        value, pk = _decode_cursor(cursor, filters.sort)
        if sort.descending:
            after = Q(**{f"{sort.field}__lt": value}) | Q(**{sort.field: value, "pk__lt": pk})
        else:
            after = Q(**{f"{sort.field}__gt": value}) | Q(**{sort.field: value, "pk__gt": pk})
        queryset = queryset.filter(after)
    prefix = "-" if sort.descending else ""
    queryset = queryset.order_by(f"{prefix}{sort.field}", f"{prefix}pk")
    rows = _summaries(queryset[: limit + 1])
    items = rows[:limit]
    next_cursor = _encode_cursor(filters.sort, items[-1]) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


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


def category_tree_choices(categories: list[Category] | None = None) -> list[tuple[str, str]]:
    """(slug, label) of every category in tree order: each parent followed by its children
    (by position, then name), the label indented with "— " per level. For pickers."""
    categories = category_list() if categories is None else categories
    children: dict[int | None, list[Category]] = {}
    for category in sorted(categories, key=lambda c: (c.position, c.name.lower())):
        children.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[str, str]] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        category, depth = stack.pop()
        if category.pk in seen:  # a cycle made in the admin: show each once
            continue
        seen.add(category.pk)
        choices.append((category.slug, "— " * depth + category.name))
        stack.extend((child, depth + 1) for child in reversed(children.get(category.pk, [])))
    return choices
