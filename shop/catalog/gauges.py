"""The catalog's gauges for /metrics (settings.SHOP_METRIC_GAUGES, shop/monitoring/metrics.py)."""

from __future__ import annotations

from django.conf import settings

from shop.monitoring.metrics import Gauge

from .models import Variant


def low_stock_count() -> int:
    return Variant.objects.filter(
        product__is_active=True, stock__lte=settings.SHOP_LOW_STOCK_THRESHOLD
    ).count()


def low_stock() -> list[Gauge]:
    return [Gauge("shop_low_stock_variants",
                  "Variants of active products at or below the low-stock threshold.",
                  value=low_stock_count())]
