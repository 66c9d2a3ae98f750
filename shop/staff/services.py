"""Staff changes outside orders (shop/orders/actions.py has those): stock, prices,
roles, alerts. Each checks the actor's permission and writes its audit record in the same
transaction as the change."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from shop.accounts.models import User
from shop.catalog import services as catalog_services
from shop.catalog.models import StockAdjustment
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.monitoring.alerts import alert_acknowledge
from shop.monitoring.audit import Action, Actor, audit_record
from shop.orders import stock

from .access import require
from .roles import GROUP_ROLES, ROLES, Perm, role_of


def variant_stock_adjust(
    *, actor: Actor, variant_id: int, delta: int, reason: str, note: str = ""
) -> StockAdjustment:
    require(actor, Perm.ADJUST_STOCK)
    with transaction.atomic():
        adjustment = stock.stock_adjust(
            variant_id=variant_id, delta=delta, reason=reason, note=note, actor_id=actor.user_id
        )
        audit_record(
            actor=actor, action=Action.STOCK_ADJUST, object_type="variant",
            object_id=adjustment.variant_id,
            details={"delta": delta, "stock_after": adjustment.stock_after, "reason": reason,
                     "note": adjustment.note, "adjustment": adjustment.pk},
        )
    return adjustment


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


def staff_role_set(*, actor: Actor, user_id: int, role: str | None) -> User:
    """Give a user a staff role (support, manager, admin) or take it away (None). Takes
    effect at the user's very next request: permissions are read per request. Superusers are
    managed with manage.py, and nobody changes their own role."""
    require(actor, Perm.MANAGE_STAFF)
    if role is not None and role not in ROLES:
        raise InvalidInput("Unknown role.", code="invalid_role")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound("We could not find this account.")
        if user.pk == actor.user_id:
            raise Conflict("You cannot change your own role.", code="own_role")
        if user.is_superuser:
            raise Conflict("Superusers are managed with manage.py, not here.",
                           code="superuser")
        if not user.is_active and role is not None:
            raise Conflict("This account is disabled.", code="inactive")
        before = role_of(user)
        user.groups.remove(*Group.objects.filter(name__in=GROUP_ROLES))
        if role is not None:
            user.groups.add(Group.objects.get(name=ROLES[role][0]))
        user.is_staff = role is not None
        user.save(update_fields=["is_staff"])
        audit_record(
            actor=actor, action=Action.ROLE_CHANGE, object_type="user", object_id=user.pk,
            details={"email": user.email, "from": before or "", "to": role or ""},
        )
    return user


def staff_user_by_email(*, actor: Actor, email: str) -> User:
    require(actor, Perm.MANAGE_STAFF)
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise NotFound("No account has this email address.")
    return user


def alert_ack(*, actor: Actor, alert_id: int) -> bool:
    require(actor, Perm.VIEW_SECURITY)
    with transaction.atomic():
        done = alert_acknowledge(alert_id=alert_id, user_id=actor.user_id)
        if done:
            audit_record(actor=actor, action=Action.ALERT_ACK, object_type="alert",
                         object_id=alert_id)
    return done
