"""Tax rates by destination: one row per country, and per state or province where the rate
depends on it (the United States and Canada). See defaults.py for what the shop starts with
and docs/orders.md for how a rate is applied."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .defaults import SALES_TAX, VAT


class TaxRate(models.Model):
    class Kind(models.TextChoices):
        VAT_KIND = VAT, "VAT (in the shelf price where the shop includes it)"
        SALES_TAX_KIND = SALES_TAX, "Sales tax (added at checkout)"

    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. GB")
    region = models.CharField(
        max_length=3, blank=True, default="",
        help_text="State or province (ISO 3166-2 without the country, e.g. CA, ON); empty: "
                  "the whole country",
    )
    rate = models.DecimalField(
        max_digits=6, decimal_places=5,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.5"))],
        help_text="A fraction: 0.20000 is 20 %",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=VAT)
    name = models.CharField(max_length=40, default="VAT")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country", "region"]
        constraints = [
            models.UniqueConstraint(fields=["country", "region"], name="taxrate_country_region"),
            models.CheckConstraint(condition=models.Q(rate__gte=0) & models.Q(rate__lte=0.5),
                                   name="taxrate_rate_range"),
        ]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{where} {self.percent} %"

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()
