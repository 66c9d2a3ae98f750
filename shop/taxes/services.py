"""Writes to the tax table: the standard rates (migration, demo data) and an admin's change
(shop/taxes/actions.py audits it)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from shop.core.errors import InvalidInput, NotFound

from .defaults import standard_rates
from .models import TaxRate

MAX_RATE = Decimal("0.5")


def tax_rates_seed() -> int:
    """Adds the standard rate of every destination that has no row; edited rows stay.
    Returns how many were added."""
    added = 0
    for country, region, rate, kind, name in standard_rates():
        _, created = TaxRate.objects.get_or_create(
            country=country, region=region, defaults={"rate": rate, "kind": kind, "name": name})
        added += created
    return added


def percent_parse(text: str) -> Decimal:
    """A rate typed as a percentage ("20", "8.1", "14,975") as a fraction, or InvalidInput."""
    try:
        percent = Decimal(str(text).strip().replace(",", ".").rstrip("%").strip())
    except InvalidOperation:
        raise InvalidInput("Enter the rate as a percentage, for example 20 or 8.1.",
                           code="invalid_rate") from None
    if not percent.is_finite() or percent < 0 or percent > MAX_RATE * 100:
        raise InvalidInput("The rate must be a percentage from 0 to 50.", code="invalid_rate")
    rate = percent / 100
    if rate != rate.quantize(Decimal("0.00001")):
        raise InvalidInput("The rate can have at most three decimals (14.975).",
                           code="invalid_rate")
    return rate


@transaction.atomic
def tax_rate_set(*, rate_id: int, rate: Decimal) -> tuple[TaxRate, Decimal]:
    """Sets one row's rate; (the row, its previous rate)."""
    row = TaxRate.objects.select_for_update().filter(pk=rate_id).first()
    if row is None:
        raise NotFound("There is no such tax rate.")
    previous = row.rate
    row.rate = rate.quantize(Decimal("0.00001"))
    row.updated_at = timezone.now()
    row.save(update_fields=["rate", "updated_at"])
    return row, previous
