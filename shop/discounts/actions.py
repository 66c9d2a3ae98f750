"""Staff work on discount codes: create, edit, switch off. Managers (the route's permission,
and again here); each change audited in its own transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.core.errors import InvalidInput, NotFound
from shop.monitoring.audit import Action, audit_record
from shop.staff.access import Actor, require
from shop.staff.roles import Perm

from .models import DiscountCode
from .services import code_normalize

PERMISSION = Perm.MANAGE_CATALOG  # managers and admins
FIELDS = ("description", "kind", "value", "minimum_subtotal", "starts_at", "ends_at",
          "max_uses", "max_uses_per_customer", "is_active")


def _fields_check(fields: dict[str, Any]) -> dict[str, Any]:
    clean = {name: fields.get(name) for name in FIELDS if name in fields}
    value = clean.get("value")
    if clean.get("kind") not in DiscountCode.Kind.values:
        raise InvalidInput("Choose a percentage or a fixed amount.")
    if not isinstance(value, Decimal) or value <= 0:
        raise InvalidInput("The value must be more than 0.")
    if clean["kind"] == DiscountCode.Kind.PERCENT and value > 100:
        raise InvalidInput("A percentage can be at most 100.")
    minimum = clean.get("minimum_subtotal")
    if minimum is not None and minimum < 0:
        raise InvalidInput("The minimum subtotal cannot be negative.")
    starts, ends = clean.get("starts_at"), clean.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        raise InvalidInput("The code must end after it starts.")
    return clean


def _audit(actor: Actor, action: str, code: DiscountCode, details: dict[str, Any]) -> None:
    audit_record(actor=actor, action=action, object_type="discount_code", object_id=code.pk,
                 details={"code": code.code, **details})


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else
                str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def discount_code_create(*, actor: Actor, code: str, fields: dict[str, Any]) -> DiscountCode:
    require(actor, PERMISSION)
    text = code_normalize(code) if code else ""
    values = _fields_check(fields)
    try:
        with transaction.atomic():
            created = DiscountCode.objects.create(code=text, **values)
            _audit(actor, Action.DISCOUNT_CREATE, created, _jsonable(values))
    except IntegrityError:
        raise InvalidInput("A code with this name exists already.") from None
    return created


def discount_code_update(*, actor: Actor, code_id: int, fields: dict[str, Any]
                         ) -> DiscountCode:
    require(actor, PERMISSION)
    values = _fields_check(fields)
    with transaction.atomic():
        code = DiscountCode.objects.select_for_update().filter(pk=code_id).first()
        if code is None:
            raise NotFound("There is no such discount code.")
        if values.get("max_uses") is not None and values["max_uses"] < code.used_count:
            raise InvalidInput(f"It has been used {code.used_count} times already: the limit "
                               "cannot be lower.")
        changed = {k: v for k, v in values.items() if getattr(code, k) != v}
        for name, value in changed.items():
            setattr(code, name, value)
        code.updated_at = timezone.now()
        code.save()
        if changed:
            _audit(actor, Action.DISCOUNT_CHANGE, code, _jsonable(changed))
    return code


def discount_code_deactivate(*, actor: Actor, code_id: int) -> DiscountCode:
    require(actor, PERMISSION)
    with transaction.atomic():
        code = DiscountCode.objects.select_for_update().filter(pk=code_id).first()
        if code is None:
            raise NotFound("There is no such discount code.")
        if code.is_active:
            code.is_active = False
            code.updated_at = timezone.now()
            code.save(update_fields=["is_active", "updated_at"])
            _audit(actor, Action.DISCOUNT_DEACTIVATE, code, {})
    return code
