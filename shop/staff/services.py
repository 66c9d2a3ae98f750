"""Staff changes to the staff and the security alerts (orders: shop/orders/actions.py;
catalog: shop/catalog/actions.py): roles, alert acknowledgements. Each checks the actor's
permission and writes its audit record in the same transaction as the change."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from shop.accounts.models import User
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.monitoring.alerts import alert_acknowledge
from shop.monitoring.audit import Action, audit_record

from .access import Actor, require
from .roles import GROUP_ROLES, ROLES, Perm, role_of


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
