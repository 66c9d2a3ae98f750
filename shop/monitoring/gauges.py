"""Monitoring's own gauge for /metrics (settings.SHOP_METRIC_GAUGES, metrics.py)."""

from __future__ import annotations

from shop.core.models import DependencyState

from .metrics import Gauge
from .models import Alert


def open_alerts() -> list[Gauge]:
    return [Gauge("shop_open_alerts", "Security alerts not yet acknowledged.",
                  value=Alert.objects.filter(acknowledged_at__isnull=True).count())]


def dependencies() -> list[Gauge]:
    """Whether each service the shop can do without (Redis) answered at the last check, and
    when that last changed (shop/core/health.py records it once for all processes)."""
    states = list(DependencyState.objects.order_by("name"))
    return [
        Gauge("shop_dependency_up",
              "Whether a service the shop uses (but can do without) answered at the last check.",
              label="dependency", samples=tuple((s.name, 1 if s.up else 0) for s in states)),
        Gauge("shop_dependency_changed_timestamp_seconds",
              "When the service last went up or down (one log line each time).",
              label="dependency",
              samples=tuple((s.name, s.changed_at.timestamp()) for s in states)),
    ]
