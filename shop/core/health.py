"""Health of the shop and of the services it uses: the database (needed) and Redis (a cache:
the shop keeps working without it, "degraded").

A change of a service's state is written to the database with a conditional UPDATE
(models.DependencyState), so it is logged exactly once however many processes notice it, and
/metrics reads it from there (shop_dependency_up, shop_dependency_changed_timestamp_seconds).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import DependencyState

logger = logging.getLogger("shop.health")


def redis_configured() -> bool:
    return "redis" in str(settings.CACHES["default"]["BACKEND"]).lower()


def dependency_report(*, name: str, up: bool, detail: str = "") -> bool:
    """Record that `name` is up or down; True (and one log line) when this call changed it.
    Never raises: a health report must not break the request that noticed."""
    try:
        DependencyState.objects.bulk_create(
            [DependencyState(name=name, up=True)], ignore_conflicts=True
        )
        changed = DependencyState.objects.filter(name=name, up=not up).update(
            up=up, changed_at=timezone.now(), checked_at=timezone.now(), detail=detail[:200]
        )
    except DatabaseError:
        logger.exception("dependency state not recorded", extra={"dependency": name})
        return False
    if changed:
        log = logger.warning if up else logger.error
        log(
            f"{name} is {'reachable again' if up else 'unreachable'}",
            extra={"event": "dependency_state", "dependency": name,
                   "state": "up" if up else "down", "detail": detail},
        )
    return bool(changed)


def recorded_state(name: str) -> bool | None:
    """The state last recorded for `name` (up when never recorded; None when it cannot be
    read)."""
    try:
        state = DependencyState.objects.filter(name=name).values_list("up", flat=True).first()
    except DatabaseError:
        return None
    return True if state is None else state


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def health() -> dict:
    """{"status": "ok" | "degraded" | "down", "checks": {...}}: down without the database
    (nothing works), degraded without Redis (everything works, a little slower)."""
    checks = {"database": "ok" if database_ok() else "unreachable"}
    if redis_configured():
        ping = getattr(cache, "ping", None)
        up = bool(ping()) if ping is not None else True
        checks["redis"] = "ok" if up else "unreachable"
        if checks["database"] == "ok" and recorded_state("redis") != up:
            dependency_report(name="redis", up=up, detail="" if up else "ping failed")
    if checks["database"] != "ok":
        status = "down"
    elif any(value != "ok" for value in checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, "checks": checks}
