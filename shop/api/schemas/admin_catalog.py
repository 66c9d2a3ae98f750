"""The staff catalog API's shapes (docs/contract.md, SPEC §4.1): create and edit products."""

from ninja import Field, Schema

from .catalog import CategoryRef, media_url


class VariantIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    options: dict[str, str] = Field(default_factory=dict)
    price: str = Field(..., pattern=r"^[0-9]{1,8}(\.[0-9]{1,2})?$",
                       description='An amount as a string, like "24.90" (0 to 99999999.99)')
    stock: int | None = Field(None, ge=0, le=1_000_000,
                              description="Units in stock; on an edit, absent keeps the stock")


class ProductCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    category: str = Field(..., min_length=1, max_length=140, description="Category slug")
    description: str = Field("", max_length=5000)
    published: bool = Field(True, description="False: a draft, not shown in the shop")
    variants: list[VariantIn] = Field(..., min_length=1, max_length=100)


class ProductPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    category: str | None = Field(None, min_length=1, max_length=140)
    description: str | None = Field(None, max_length=5000)
    published: bool | None = None
    variants: list[VariantIn] | None = Field(
        None, min_length=1, max_length=100,
        description="The whole list: variants matched by SKU; a SKU left out is removed",
    )
    confirm_price_change: bool = Field(
        False, description="Needed when a price goes to 0 or moves by more than 50%"
    )


class AdminVariantOut(Schema):
    sku: str
    options: dict[str, str]
    price: str
    currency: str
    stock: int

    @staticmethod
    def resolve_price(obj) -> str:
        return str(obj.price)


class AdminImageOut(Schema):
    url: str
    alt: str
    colour: str

    @staticmethod
    def resolve_url(obj) -> str:
        return media_url(obj.path) or ""


class AdminProductOut(Schema):
    slug: str
    name: str
    description: str
    category: CategoryRef
    price: str
    currency: str
    published: bool
    images: list[AdminImageOut]
    variants: list[AdminVariantOut]

    @staticmethod
    def resolve_price(obj) -> str:
        return str(obj.price)

    @staticmethod
    def resolve_published(obj) -> bool:
        return obj.is_active

    @staticmethod
    def resolve_images(obj):
        return list(obj.images.order_by("position", "pk"))

    @staticmethod
    def resolve_variants(obj):
        return list(obj.variants.order_by("position", "pk"))
