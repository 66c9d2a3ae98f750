"""The staff catalog API (SPEC §4.1): create a product, edit it, add an image. Managers only
(shop/staff/permissions.py), bearer tokens (StaffBearer), private no-store
(shop/policy/cache.py), every change audited by shop/catalog/actions.py. Refused input is a
422 with a code and a message; nothing is half-written.
"""

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from shop.catalog import actions as catalog_actions
from shop.catalog import editing
from shop.catalog.models import Product
from shop.core.errors import NotFound

from .admin import StaffBearer
from .schemas.admin_catalog import AdminProductOut, ProductCreateIn, ProductPatchIn, VariantIn

router = Router(tags=["staff"], auth=StaffBearer())


def _variants(items: list[VariantIn] | None) -> list[editing.VariantSpec] | None:
    if items is None:
        return None
    return [editing.VariantSpec(v.sku, v.options, v.price, v.stock) for v in items]


def _product(slug: str) -> Product:
    product = Product.objects.filter(slug=slug[:220]).first()
    if product is None:
        raise NotFound("This product does not exist.")
    return product


@router.post("/admin/products", response={201: AdminProductOut},
             url_name="admin_product_create")
def admin_product_create(request: HttpRequest, body: ProductCreateIn):
    """A new product with its variants (published unless `published` is false). Audited."""
    spec = editing.ProductSpec(name=body.name, category=body.category,
                               description=body.description, is_active=body.published,
                               variants=_variants(body.variants))
    return Status(201, catalog_actions.product_create(actor=request.staff_actor, spec=spec))


@router.patch("/admin/products/{slug}", response=AdminProductOut,
              url_name="admin_product_update")
def admin_product_update(request: HttpRequest, slug: str, body: ProductPatchIn):
    """Any of the fields; `variants` replaces the list (matched by SKU). A price to 0 or moved
    by more than 50% needs `confirm_price_change: true` (else 422
    `price_confirmation_required`). Lists and search show the new price at once. Audited."""
    product = _product(slug)
    spec = editing.ProductSpec(name=body.name, category=body.category,
                               description=body.description, is_active=body.published,
                               variants=_variants(body.variants))
    product, _changes = catalog_actions.product_update(
        actor=request.staff_actor, product_id=product.pk, spec=spec,
        confirm_price=body.confirm_price_change,
    )
    return product


@router.post("/admin/products/{slug}/images", response=AdminProductOut,
             url_name="admin_product_image")
def admin_product_image(request: HttpRequest, slug: str, image: File[UploadedFile],
                        colour: Form[str] = "", alt: Form[str] = ""):
    """Multipart `image`: JPEG, PNG or WebP, at most 10 MB and 40 megapixels, re-encoded by
    the shop (metadata such as EXIF GPS removed). `colour`: the colour it shows (one image
    per colour). Audited."""
    product = _product(slug)
    return catalog_actions.product_image_upload(
        actor=request.staff_actor, product_id=product.pk, stream=image,
        size=image.size or 0, colour=colour[:40], alt=alt[:200],
    )
