from decimal import Decimal
from typing import Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import BaseModel

from shop.catalog.picker import availability_of, shown_stock
from shop.catalog.selectors import MAX_PRICE, MAX_QUERY_LENGTH


def media_url(path: str) -> str | None:
    return f"{settings.MEDIA_URL}{path}" if path else None


class CategoryOut(Schema):
    slug: str
    name: str
    description: str
    parent: str | None

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.slug if obj.parent_id else None


class CategoryRef(Schema):
    slug: str
    name: str


class ProductSummaryOut(BaseModel):
    """One product of a list. A plain pydantic model fed plain dicts (`from_summary`), not a
    Ninja Schema with resolvers: Ninja reads each field of each item through a Python wrapper,
    which cost 0.25 ms per page of 24 (a tenth of the request; measured with make bench)."""

    slug: str
    name: str
    price: str
    currency: str
    category: str
    image_url: str | None
    in_stock: bool

    @staticmethod
    def from_summary(product) -> dict:
        """The fields of a shop.catalog.selectors.ProductSummary, as this schema has them."""
        return {
            "slug": product.slug,
            "name": product.name,
            "price": str(product.price),
            "currency": product.currency,
            "category": product.category.slug,
            "image_url": media_url(product.image),
            "in_stock": product.in_stock,
        }


class FacetValueOut(BaseModel):
    value: str
    label: str
    count: int


class ProductListOut(Schema):
    items: list[ProductSummaryOut]
    next_cursor: str | None
    # with `facets=`: {facet: [{value, label, count}]} over the whole result, and its count
    facets: dict[str, list[FacetValueOut]] | None = None
    count: int | None = None
    # a search that found nothing was run again with this text ("did you mean"), or null
    corrected_q: str | None = None


class VariantOut(Schema):
    """The stock is never given exactly above the low-stock threshold (competitors would read
    it): `availability` is "in_stock", "low" or "sold_out"; `available` is the count when
    low, capped at threshold + 1 otherwise (docs/contract.md)."""

    sku: str
    options: dict[str, str]
    price: str
    currency: str
    availability: Literal["in_stock", "low", "sold_out"]
    available: int

    @staticmethod
    def resolve_price(obj) -> str:
        return str(obj.price)

    @staticmethod
    def resolve_availability(obj) -> str:
        return availability_of(obj.stock).state

    @staticmethod
    def resolve_available(obj) -> int:
        return shown_stock(obj.stock)


class ImageOut(Schema):
    url: str
    alt: str

    @staticmethod
    def resolve_url(obj) -> str:
        return media_url(obj.path) or ""


class ProductDetailOut(Schema):
    slug: str
    name: str
    description: str
    category: CategoryRef
    price: str
    currency: str
    images: list[ImageOut]
    variants: list[VariantOut]

    @staticmethod
    def resolve_price(obj) -> str:
        return str(obj.price)

    @staticmethod
    def resolve_images(obj):
        return list(obj.images.all())

    @staticmethod
    def resolve_variants(obj):
        return list(obj.variants.all())


class ShippingMethodOut(Schema):
    code: str
    name: str
    price: str
    currency: str

    @staticmethod
    def resolve_price(obj) -> str:
        return str(obj.price)


class ProductQuery(Schema):
    q: str = Field("", max_length=MAX_QUERY_LENGTH, description=(
        "Search words (name and category; stemmed, accent-insensitive, tolerates a typo). "
        "Ranks by relevance unless `sort` says otherwise"))
    category: str = Field("", max_length=140, description="Category slug (includes subcategories)")
    min_price: Decimal | None = Field(None, ge=0, le=MAX_PRICE, decimal_places=2)
    max_price: Decimal | None = Field(None, ge=0, le=MAX_PRICE, decimal_places=2)
    in_stock: bool = False
    sort: Literal["", "relevance", "newest", "price", "-price", "name", "-name"] = Field(
        "", description="Default: relevance with `q`, newest without")
    size: str = Field("", max_length=60, description="Only products with a variant of this size")
    colour: str = Field("", max_length=60, description="... of this colour")
    facets: str = Field("", max_length=100, description=(
        "Comma-separated facets to count over the whole result: category, size, colour, price"))
    cursor: str | None = Field(None, max_length=400, description="next_cursor of the previous page")
    limit: int = Field(24, ge=1, le=settings.SHOP_API_MAX_LIMIT)
