"""Storing security events (row, counter, log line). Everyone records them through
services.security_event_record, which also asks the anomaly rules; alerts.py stores its own
alert_raised events here directly."""

import logging
from typing import Any

from django.http import HttpRequest

from shop.core.request_context import current_request_id

from . import context as client_context
from . import metrics
from .client import client_ip
from .models import SecurityEvent

logger = logging.getLogger("shop.security")

# Keys whose values must never be stored, whatever a caller passes (matched as substrings).
_SECRET_MARKERS = ("password", "token", "secret", "card", "cvc", "authorization", "cookie")
_MAX_TEXT = 200


def details_clean(value: Any, depth: int = 0) -> Any:
    if isinstance(value, dict):
        if depth > 2:
            return "…"
        return {
            str(key)[:64]: details_clean(item, depth + 1)
            for key, item in list(value.items())[:20]
            if not any(marker in str(key).lower() for marker in _SECRET_MARKERS)
        }
    if isinstance(value, list | tuple):
        return [details_clean(item, depth + 1) for item in list(value)[:20]]
    if isinstance(value, str):
        return value.replace("\x00", "")[:_MAX_TEXT]  # PostgreSQL refuses NUL in text
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:_MAX_TEXT]


def security_event_store(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Store one security event, count it and write it to the `shop.security` log; the anomaly
    rules are not asked (services.security_event_record does both).

    `user_id` defaults to the request's principal (if signed in); `ip`, `path` and the request
    id come from the request. Keys that look like secrets are dropped from `details`.
    """
    ip = None
    path = ""
    if request is not None:
        ip = client_ip(request) or None
        # a `%00` probe is recorded, not lost to a 500 (PostgreSQL refuses NUL in text)
        path = request.path.replace("\x00", "")[:300]
        if user_id is None:
            principal = getattr(request, "principal", None)
            user_id = principal.user_id if principal is not None else None
    elif (where := client_context.current()) is not None:
        # Recorded without the request at hand (shop/policy/access.py): the request being
        # served still says where it came from (MonitoringMiddleware).
        ip, path = where.ip or None, where.path.replace("\x00", "")
    request_id = (getattr(request, "request_id", "") if request is not None else "") or (
        current_request_id()
    )
    event = SecurityEvent.objects.create(
        kind=kind,
        user_id=user_id,
        ip=ip,
        path=path,
        request_id=request_id[:64],
        details=details_clean(details or {}),
    )
    logger.warning(
        "security event",
        extra={"event": kind, "event_user_id": user_id, "ip": ip, "path": path},
    )
    metrics.SECURITY_EVENTS.labels(kind=kind).inc()  # never raises
    return event
