"""Staff changes to the tax table: only admins (the route's permission, and again here), each
audited in the same transaction as the change."""

from __future__ import annotations

from django.db import transaction

from shop.monitoring.audit import Action, audit_record
from shop.staff.access import Actor, require
from shop.staff.roles import Perm

from . import services
from .models import TaxRate


def tax_rate_change(*, actor: Actor, rate_id: int, percent: str) -> TaxRate:
    require(actor, Perm.ADMIN)
    rate = services.percent_parse(percent)
    with transaction.atomic():
        row, previous = services.tax_rate_set(rate_id=rate_id, rate=rate)
        if previous != row.rate:
            audit_record(
                actor=actor, action=Action.TAX_RATE_CHANGE, object_type="tax_rate",
                object_id=row.pk,
                details={"country": row.country, "region": row.region,
                         "from": str(previous), "to": str(row.rate)},
            )
    return row
