"""The tax rule of a destination: a country code (ISO 3166-1 alpha-2) and, optionally, a
region (state or province). The one lookup every price goes through
(shop/orders/pricing.py)."""

from __future__ import annotations

from django.conf import settings

from shop.core.money import NO_TAX, TaxRule

from .defaults import VAT
from .models import TaxRate


def prices_include_tax() -> bool:
    """True where the catalog's prices are gross (EU/UK B2C shops, the default)."""
    return bool(getattr(settings, "SHOP_PRICES_INCLUDE_TAX", True))


def home_country() -> str:
    return str(getattr(settings, "SHOP_HOME_COUNTRY", "DE"))


def tax_rule_for(*, country: str, region: str = "") -> TaxRule:
    """The region's row, else the country's, else no tax. VAT is included in the shelf price
    when the shop is set to (SHOP_PRICES_INCLUDE_TAX); sales tax is always added on top."""
    country = (country or "").strip().upper()[:2]
    region = (region or "").strip().upper()[:3]
    rows = {row.region: row for row in TaxRate.objects.filter(country=country,
                                                              region__in={region, ""})}
    row = rows.get(region) or rows.get("")
    if row is None:
        return NO_TAX
    return TaxRule(rate=row.rate, included=row.kind == VAT and prices_include_tax(),
                   name=row.name)


def tax_rate_list() -> list[TaxRate]:
    return list(TaxRate.objects.order_by("country", "region"))
