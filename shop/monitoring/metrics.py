"""Prometheus metrics, with the official client (prometheus_client).

Exported (scrape /metrics, see docs/monitoring.md):

| metric | type | labels |
|---|---|---|
| shop_http_requests_total | counter | route (URL name), method, status |
| shop_http_request_duration_seconds | histogram | route, method |
| shop_http_responses_by_cache_policy_total | counter | policy (private, public-catalog, ...) |
| shop_security_events_total | counter | kind |
| shop_security_alerts_total | counter | rule |
| shop_alert_webhook_deliveries_total | counter | outcome (delivered, retried, failed, dropped) |
| shop_audit_events_total | counter | action |
| shop_checkouts_total | counter | interface (api, web), outcome (placed, declined, ...) |
| shop_orders | gauge, read from the database at scrape time | status |
| shop_open_alerts | gauge, idem | |
| shop_low_stock_variants | gauge, idem | |
| shop_dependency_up | gauge, database (shop/core/health.py) | dependency (redis) |
| shop_dependency_changed_timestamp_seconds | gauge, idem: its last change | dependency |

Several app-server processes (granian workers): set PROMETHEUS_MULTIPROC_DIR to an empty
directory before the app server starts (prometheus_client's multiprocess mode); every process
then writes its samples there and a scrape of any one worker sums them all. Without it each
process counts for itself (fine for one process: runserver, tests, a single worker).
Label values are bounded: routes are URL names ("unmatched" for the rest), never paths.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "shop_http_requests", "HTTP requests served, by route, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "shop_http_request_duration_seconds", "Time to serve a request, by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CACHE_POLICY = Counter(
    "shop_http_responses_by_cache_policy",
    "Responses by the cache policy applied (shop/policy/cache.py).", ["policy"],
)
SECURITY_EVENTS = Counter(
    "shop_security_events", "Security events recorded, by kind.", ["kind"]
)
ALERTS = Counter("shop_security_alerts", "Security alerts raised, by rule.", ["rule"])
WEBHOOK_DELIVERIES = Counter(
    "shop_alert_webhook_deliveries", "Alert webhook attempts, by outcome.", ["outcome"]
)
AUDIT_EVENTS = Counter("shop_audit_events", "Audit events recorded, by action.", ["action"])
CHECKOUTS = Counter(
    "shop_checkouts", "Checkout attempts, by interface and outcome.", ["interface", "outcome"]
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def request_observe(*, route: str, method: str, status: int, seconds: float,
                    cache_policy: str) -> None:
    requests, latency = _request_children(route or "unmatched",
                                           method if method in METHODS else "OTHER", status)
    requests.inc()
    latency.observe(seconds)
    if cache_policy:
        _cache_policy_child(cache_policy).inc()


# The labelled children, looked up once per label values (route names, methods, statuses and
# policies are bounded sets, see the module docstring): labels() validates and locks each time.
@functools.lru_cache(maxsize=4096)
def _request_children(route: str, method: str, status: int) -> tuple[Any, Any]:
    return (REQUESTS.labels(route=route, method=method, status=str(status)),
            LATENCY.labels(route=route, method=method))


@functools.lru_cache(maxsize=64)
def _cache_policy_child(policy: str) -> Any:
    return CACHE_POLICY.labels(policy=policy)


@dataclass(frozen=True)
class Gauge:
    """A value read from the database at scrape time, by a reader of the app that owns the data
    (settings.SHOP_METRIC_GAUGES names the readers: monitoring knows no other app's models)."""

    name: str
    help: str
    value: float = 0
    label: str = ""  # one label, then `samples` holds (label value, value) pairs
    samples: tuple[tuple[str, float], ...] = ()


class DatabaseCollector:
    """Gauges read from the database at scrape time: what is true now, for every process."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for path in settings.SHOP_METRIC_GAUGES:
            reader: Callable[[], list[Gauge]] = import_string(path)
            for gauge in reader():
                if gauge.label:
                    family = GaugeMetricFamily(gauge.name, gauge.help, labels=[gauge.label])
                    for label_value, value in gauge.samples:
                        family.add_metric([label_value], value)
                    yield family
                else:
                    yield GaugeMetricFamily(gauge.name, gauge.help, value=gauge.value)


def counters_registry() -> CollectorRegistry:
    """This process's counters, or, in multiprocess mode, every process's (summed)."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric: the counters and the database gauges."""
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(DatabaseCollector())
    return generate_latest(counters_registry()) + generate_latest(gauges), CONTENT_TYPE_LATEST
