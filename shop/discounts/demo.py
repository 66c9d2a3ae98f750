"""The demo shop's codes (SPEC §4.1): WELCOME10 (10 % off, no limit) and ONCE5 (5.00 off,
one use in the whole shop). Called by shop.demo; idempotent."""

from __future__ import annotations

from decimal import Decimal

from .models import DiscountCode

DEMO_CODES = [
    {"code": "WELCOME10", "kind": "percent", "value": Decimal("10"),
     "description": "Welcome: 10 % off, no limit"},
    {"code": "ONCE5", "kind": "fixed", "value": Decimal("5.00"), "max_uses": 1,
     "description": "5.00 off, one use in the whole shop"},
]


def demo_codes_seed() -> int:
    added = 0
    for spec in DEMO_CODES:
        spec = dict(spec)
        _, created = DiscountCode.objects.get_or_create(code=spec.pop("code"), defaults=spec)
        added += created
    return added
