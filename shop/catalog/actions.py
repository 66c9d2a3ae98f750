"""Staff changes to the catalog: products (fields, variants, images), prices and counted stock.
Each checks the actor's permission, asks for a confirmation of a large price change
(editing.price_jump: to 0 or by more than ±50%), and writes its audit record in the same
transaction as the change (shop/catalog/editing.py and services.py make the change itself).
The audit records are the product's history (staff_selectors.product_history). Stock
adjustments by ± units live with every other change of stock, in orders
(shop/orders/actions.py, shop/orders/stock.py); a counted stock ("set to 12") is here, as the
product editor sets it with the matrix.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from shop.monitoring.audit import Action, audit_record
from shop.staff.access import Actor, require
from shop.staff.roles import Perm

from . import editing
from . import images as catalog_images
from . import services as catalog_services
from .models import Product, Variant


class PriceConfirmationRequired(editing.CatalogInvalid):
    code = "price_confirmation_required"

    def __init__(self, jumps: list[dict]) -> None:
        listed = ", ".join(f"{j['sku']} {j['from']} → {j['to']}" for j in jumps)
        super().__init__(
            f"Confirm the price change ({listed}): it is to 0 or by more than 50%."
        )
        self.jumps = jumps


def _confirm(prices: list[dict], confirmed: bool) -> None:
    jumps = [p for p in prices if editing.price_jump(Decimal(p["from"]), Decimal(p["to"]))]
    if jumps and not confirmed:
        raise PriceConfirmationRequired(jumps)


def _record(actor: Actor, action: str, product: Product, details: dict) -> None:
    audit_record(actor=actor, action=action, object_type="product", object_id=product.pk,
                 details={"slug": product.slug, **details})


def product_create(*, actor: Actor, spec: editing.ProductSpec) -> Product:
    require(actor, Perm.MANAGE_CATALOG)
    with transaction.atomic():
        product = editing.product_create(spec)
        _record(actor, Action.PRODUCT_CREATE, product, {
            "name": product.name, "published": product.is_active,
            "variants": [
                {"sku": v.sku, "price": str(v.price), "stock": v.stock}
                for v in product.variants.order_by("position", "pk")
            ],
        })
    return product


def product_update(*, actor: Actor, product_id: int, spec: editing.ProductSpec,
                   confirm_price: bool = False) -> tuple[Product, editing.Changes]:
    """Any of the product's fields and its variants; a price jump needs confirm_price. Stock
    set in the matrix needs the stock permission too."""
    require(actor, Perm.MANAGE_CATALOG)
    if spec.variants is not None and any(v.stock is not None for v in spec.variants):
        require(actor, Perm.ADJUST_STOCK)
    with transaction.atomic():
        product, changes = editing.product_update(product_id=product_id, spec=spec,
                                                  actor_id=actor.user_id)
        _confirm(changes.prices, confirm_price)
        if changes.as_details():
            _record(actor, Action.PRODUCT_UPDATE, product, changes.as_details())
    return product, changes


def variant_price_change(*, actor: Actor, variant_id: int, price: Decimal,
                         confirm_price: bool = False) -> None:
    require(actor, Perm.MANAGE_CATALOG)
    with transaction.atomic():
        variant, previous = catalog_services.variant_price_set(variant_id=variant_id,
                                                               price=price)
        _confirm([{"sku": variant.sku, "from": str(previous), "to": str(variant.price)}],
                 confirm_price)
        if previous != variant.price:
            audit_record(
                actor=actor, action=Action.VARIANT_PRICE, object_type="variant",
                object_id=variant.pk,
                details={"sku": variant.sku, "from": str(previous), "to": str(variant.price),
                         "product": variant.product_id},
            )


def variant_stock_set(*, actor: Actor, variant_id: int, stock: int) -> Variant:
    """The counted stock of a variant (the dashboard's "set to"), kept as an adjustment."""
    require(actor, Perm.ADJUST_STOCK)
    with transaction.atomic():
        variant = Variant.objects.select_for_update().filter(pk=variant_id).first()
        if variant is None:
            raise editing.CatalogInvalid("This variant no longer exists.",
                                         code="unknown_variant")
        if not 0 <= stock <= editing.MAX_STOCK:
            raise editing.CatalogInvalid(f"Stock is a whole number from 0 to "
                                         f"{editing.MAX_STOCK}.", code="invalid_stock")
        changes = editing.Changes()
        editing.stock_set_counted(variant, stock, changes, actor.user_id)
        if changes.stock:
            variant.save(update_fields=["stock"])
            audit_record(actor=actor, action=Action.STOCK_ADJUST, object_type="variant",
                         object_id=variant.pk,
                         details={"sku": variant.sku, "set": stock,
                                  "from": changes.stock[0]["from"], "reason": "count",
                                  "product": variant.product_id})
    return variant


def product_image_upload(*, actor: Actor, product_id: int, stream: catalog_images.Upload, size: int,
                         colour: str = "", alt: str = "") -> Product:
    """Checks, re-encodes and stores an uploaded image (shop/catalog/images.py), then records
    it; one image per colour. A refused upload writes nothing."""
    require(actor, Perm.MANAGE_CATALOG)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise editing.CatalogInvalid("This product no longer exists.", code="unknown_product")
    path = catalog_images.image_store(stream=stream, size=size, slug=product.slug)
    try:
        with transaction.atomic():
            image = editing.product_image_add(product=product, path=path, alt=alt,
                                              colour=colour)
            _record(actor, Action.PRODUCT_IMAGE, product,
                    {"path": path, "colour": image.colour,
                     "replaced": getattr(image, "replaced", [])})
    except Exception:
        catalog_images.image_discard(path)
        raise
    for old in getattr(image, "replaced", []):
        catalog_images.image_discard(old)
    product.refresh_from_db()
    return product
