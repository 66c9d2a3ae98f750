"""Public catalog endpoints. Their cache policy is in shop/policy/cache.py (public)."""

from dataclasses import replace

from ninja import Query, Router

from shop.catalog import aggregates
from shop.catalog import selectors as catalog
from shop.core.errors import InvalidInput
from shop.shipping.selectors import shipping_method_list

from .schemas.catalog import (
    CategoryOut,
    ProductDetailOut,
    ProductListOut,
    ProductQuery,
    ProductSummaryOut,
    ShippingMethodOut,
)

router = Router(tags=["catalog"])


@router.get("/categories", response=list[CategoryOut], url_name="category_list")
def category_list(request):
    return catalog.category_list()


FACETS = ("category", "size", "colour", "price")


# exclude_unset: `facets` and `count` only when asked for, `corrected_q` only when used
@router.get("/products", response=ProductListOut, url_name="product_list", exclude_unset=True)
def product_list(request, query: Query[ProductQuery]):
    asked = [name.strip() for name in query.facets.split(",") if name.strip()]
    if any(name not in FACETS for name in asked):
        raise InvalidInput("Unknown facet; use any of: " + ", ".join(FACETS) + ".")
    filters = catalog.ProductFilters(
        q=query.q.strip(), category=query.category, min_price=query.min_price,
        max_price=query.max_price, in_stock=query.in_stock, sort=query.sort, size=query.size,
        colour=query.colour,
    )
    page = catalog.product_list(filters=filters, cursor=query.cursor, limit=query.limit)
    corrected = None
    if not page.items and not query.cursor and filters.q:
        corrected = aggregates.suggestion(filters.q) or None
        if corrected:  # "did you mean": the answer is for the corrected text
            filters = replace(filters, q=corrected)
            page = catalog.product_list(filters=filters, limit=query.limit)
    answer: dict = {
        "items": [ProductSummaryOut.from_summary(product) for product in page.items],
        "next_cursor": page.next_cursor,
    }
    if corrected:
        answer["corrected_q"] = corrected
    if asked:
        found = aggregates.facets(filters)
        answer["count"] = found.count
        answer["facets"] = {
            name: [value.__dict__ for value in found.groups.get(name, [])] for name in asked
        }
    return answer


@router.get("/products/{slug}", response=ProductDetailOut, url_name="product_detail")
def product_detail(request, slug: str):
    return catalog.product_get(slug=slug)


@router.get("/shipping-methods", response=list[ShippingMethodOut], url_name="shipping_method_list")
def shipping_method_list_view(request):
    return shipping_method_list()
