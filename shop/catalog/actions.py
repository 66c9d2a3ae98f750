"""Staff changes to the catalog: prices. Each checks the actor's permission and writes its
audit record in the same transaction as the change (shop/catalog/services.py makes the change
itself). Stock adjustments live with every other change of stock, in orders
(shop/orders/actions.py, shop/orders/stock.py)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from shop.monitoring.audit import Action, audit_record
from shop.staff.access import Actor, require
from shop.staff.roles import Perm

from . import services as catalog_services


def variant_price_change(*, actor: Actor, variant_id: int, price: Decimal) -> None:
    require(actor, Perm.MANAGE_CATALOG)
    with transaction.atomic():
        variant, previous = catalog_services.variant_price_set(variant_id=variant_id,
                                                               price=price)
        if previous != variant.price:
            audit_record(
                actor=actor, action=Action.VARIANT_PRICE, object_type="variant",
                object_id=variant.pk,
                details={"sku": variant.sku, "from": str(previous), "to": str(variant.price)},
            )
