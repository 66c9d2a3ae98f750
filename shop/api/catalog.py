"""Public catalog endpoints. Their cache policy is in shop/policy/cache.py (public)."""

from ninja import Query, Router

from shop.catalog import selectors as catalog
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


@router.get("/products", response=ProductListOut, url_name="product_list")
def product_list(request, query: Query[ProductQuery]):
    filters = catalog.ProductFilters(
        q=query.q.strip(),
        category=query.category,
        min_price=query.min_price,
        max_price=query.max_price,
        in_stock=query.in_stock,
        sort=query.sort,
    )
    page = catalog.product_list(filters=filters, cursor=query.cursor, limit=query.limit)
    return {
        "items": [ProductSummaryOut.from_summary(product) for product in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/products/{slug}", response=ProductDetailOut, url_name="product_detail")
def product_detail(request, slug: str):
    return catalog.product_get(slug=slug)


@router.get("/shipping-methods", response=list[ShippingMethodOut], url_name="shipping_method_list")
def shipping_method_list_view(request):
    return shipping_method_list()
