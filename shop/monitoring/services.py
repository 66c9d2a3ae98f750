"""Recording security events: stored, counted and logged (events.py), then handed to the
anomaly rules (alerts.py), which may raise an alert. Every part of the shop records its
security events through `security_event_record`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import alerts
from .events import security_event_store
from .models import SecurityEvent


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Store one security event and write it to the `shop.security` log, then let the anomaly
    rules count it (they never raise).

    `user_id` defaults to the request's principal (if signed in); `ip`, `path` and the request
    id come from the request. Keys that look like secrets are dropped from `details`.
    """
    event = security_event_store(kind=kind, request=request, user_id=user_id, details=details)
    alerts.observe(kind=kind, user_id=event.user_id, ip=event.ip, event_id=event.pk)
    return event
