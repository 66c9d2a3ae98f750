"""Monitoring's own gauge for /metrics (settings.SHOP_METRIC_GAUGES, metrics.py)."""

from __future__ import annotations

from .metrics import Gauge
from .models import Alert


def open_alerts() -> list[Gauge]:
    return [Gauge("shop_open_alerts", "Security alerts not yet acknowledged.",
                  value=Alert.objects.filter(acknowledged_at__isnull=True).count())]
