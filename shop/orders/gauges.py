"""The orders' gauges for /metrics (settings.SHOP_METRIC_GAUGES, shop/monitoring/metrics.py)."""

from __future__ import annotations

from django.db.models import Count

from shop.monitoring.metrics import Gauge

from .models import Order


def orders_by_status() -> list[Gauge]:
    rows = Order.objects.order_by().values("status").annotate(n=Count("pk"))
    return [Gauge("shop_orders", "Orders by status.", label="status",
                  samples=tuple((row["status"], row["n"]) for row in rows))]
