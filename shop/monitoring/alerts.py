"""Anomaly rules over security events: when one fires, an Alert row (the dashboard's security
page), a distinct JSON log line (`"event": "security_alert"`) and a webhook POST
(webhook.py, never blocking the request).

| rule | counts | threshold | window | per |
|---|---|---|---|---|
| object_enumeration | object_access_denied + missed order lookups | 20 | 60 s | user, address |
| refresh_token_replay | refresh_replay | 1 | - | user, else address |
| ownership_guard_tripped | ownership_guard_tripped | 1 | - | user, else address |
| signin_failure_burst | signin_failed + signin_locked | 10 | 5 min | address, account |
| signin_failure_surge | signin_failed + signin_locked | 50 | 5 min | whole site |
| token_forgery_burst | token_invalid | 20 | 60 s | address |
| staff_permission_probe | staff_permission_denied | 5 | 10 min | user |

Counting uses the Django cache (Redis in production, shared by every process): one counter
per rule, subject and fixed window, incremented atomically; the count of a sliding window is
estimated as this window's count plus the previous window's, weighted by how much of it still
overlaps (a burst that straddles two windows is still seen). One alert per rule and subject
per QUIET_PERIOD: while it lasts, further events raise the open alert's event_count.

Nothing here may break the request that reported the event: every failure is logged and
swallowed by `observe`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shop.core import cache_keys

from . import metrics
from .events import security_event_store
from .models import Alert, AlertSeverity, SecurityEventKind, WebhookState
from .webhook import forwarder

logger = logging.getLogger("shop.alerts")

QUIET_PERIOD = 10 * 60  # seconds
# Not stored as a security event (a mistyped order number is normal), only counted: many of
# them in a minute is someone walking the number space.
OBJECT_LOOKUP_MISSED = "object_lookup_missed"


@dataclass(frozen=True)
class Rule:
    name: str
    kinds: frozenset[str]
    threshold: int
    window: int  # seconds
    per: tuple[str, ...]  # "user", "ip", "site"; "user_or_ip": the user when known
    severity: str
    summary: str  # {count} {subject} {window}

    @property
    def per_label(self) -> str:
        labels = {"user": "user", "ip": "address", "site": "whole shop",
                  "user_or_ip": "user (else address)"}
        return ", ".join(labels[p] for p in self.per)

    @property
    def window_label(self) -> str:
        return f"{self.window // 60} min" if self.window % 60 == 0 else f"{self.window} s"


RULES: tuple[Rule, ...] = (
    Rule(
        "object_enumeration",
        frozenset({SecurityEventKind.OBJECT_ACCESS_DENIED, OBJECT_LOOKUP_MISSED}),
        threshold=20, window=60, per=("user", "ip"), severity=AlertSeverity.HIGH,
        summary="{count} reads of orders that are not theirs (or do not exist) by {subject} "
        "within a minute: someone is enumerating order numbers.",
    ),
    Rule(
        "refresh_token_replay", frozenset({SecurityEventKind.REFRESH_REPLAY}),
        threshold=1, window=QUIET_PERIOD, per=("user_or_ip",), severity=AlertSeverity.HIGH,
        summary="A used refresh token was presented again for {subject}: the token leaked. "
        "Its family was revoked.",
    ),
    Rule(
        "ownership_guard_tripped", frozenset({SecurityEventKind.OWNERSHIP_GUARD_TRIPPED}),
        threshold=1, window=QUIET_PERIOD, per=("user_or_ip",), severity=AlertSeverity.CRITICAL,
        summary="The ownership guard stopped a response carrying another user's data "
        "(requested by {subject}). A bug let it through the access layer.",
    ),
    Rule(
        "signin_failure_burst",
        frozenset({SecurityEventKind.SIGNIN_FAILED, SecurityEventKind.SIGNIN_LOCKED}),
        threshold=10, window=300, per=("ip", "user"), severity=AlertSeverity.WARNING,
        summary="{count} failed sign-ins for {subject} within 5 minutes.",
    ),
    Rule(
        "signin_failure_surge",
        frozenset({SecurityEventKind.SIGNIN_FAILED, SecurityEventKind.SIGNIN_LOCKED}),
        threshold=50, window=300, per=("site",), severity=AlertSeverity.HIGH,
        summary="{count} failed sign-ins across the shop within 5 minutes: credential "
        "stuffing?",
    ),
    Rule(
        "token_forgery_burst", frozenset({SecurityEventKind.TOKEN_INVALID}),
        threshold=20, window=60, per=("ip",), severity=AlertSeverity.WARNING,
        summary="{count} invalid bearer tokens from {subject} within a minute.",
    ),
    Rule(
        "staff_permission_probe", frozenset({SecurityEventKind.STAFF_PERMISSION_DENIED}),
        threshold=5, window=600, per=("user",), severity=AlertSeverity.WARNING,
        summary="{count} refused staff requests by {subject} within 10 minutes.",
    ),
)


def _subjects(rule: Rule, *, user_id: int | None, ip: str | None) -> list[str]:
    subjects = []
    for per in rule.per:
        if per == "user" and user_id is not None:
            subjects.append(f"user {user_id}")
        elif per == "ip" and ip:
            subjects.append(f"address {ip}")
        elif per == "site":
            subjects.append("the whole shop")
        elif per == "user_or_ip":
            if user_id is not None:
                subjects.append(f"user {user_id}")
            elif ip:
                subjects.append(f"address {ip}")
            else:
                subjects.append("an unknown client")
    return subjects


def _count(rule: Rule, subject: str, now: float) -> int:
    """Atomic increment of this window's counter; the sliding-window estimate."""
    bucket, into = divmod(now, rule.window)
    bucket = int(bucket)
    key = cache_keys.alert_counter(rule=rule.name, subject=subject, bucket=bucket)
    cache.add(key, 0, timeout=rule.window * 2 + 5)
    try:
        current = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rule.window * 2 + 5)
        current = 1
    previous = cache.get(
        cache_keys.alert_counter(rule=rule.name, subject=subject, bucket=bucket - 1)
    ) or 0
    return int(current + previous * (1 - into / rule.window))


def observe(*, kind: str, user_id: int | None = None, ip: str | None = None,
            event_id: int | None = None) -> list[Alert]:
    """Feed one event to the rules; returns the alerts it raised (usually none)."""
    raised = []
    try:
        now = time.time()
        for rule in RULES:
            if kind not in rule.kinds:
                continue
            for subject in _subjects(rule, user_id=user_id, ip=ip):
                count = 1 if rule.threshold <= 1 else _count(rule, subject, now)
                if count >= rule.threshold:
                    alert = _raise(rule, subject, count=count, event_id=event_id)
                    if alert is not None:
                        raised.append(alert)
    except Exception:  # a broken cache or database must not break the request
        logger.exception("alert rules could not be evaluated", extra={"kind": kind})
    return raised


def _raise(rule: Rule, subject: str, *, count: int, event_id: int | None) -> Alert | None:
    """A new alert, or None when one is already open for this rule and subject (its
    event_count goes up instead)."""
    marker = cache_keys.alert_open(rule=rule.name, subject=subject)
    if not cache.add(marker, 0, timeout=QUIET_PERIOD):
        open_id = cache.get(marker)
        if open_id:
            Alert.objects.filter(pk=open_id).update(
                event_count=F("event_count") + 1, last_seen_at=timezone.now()
            )
        return None
    webhook = bool(getattr(settings, "SHOP_ALERT_WEBHOOK_URL", ""))
    alert = Alert.objects.create(
        rule=rule.name,
        severity=rule.severity,
        subject=subject[:120],
        summary=rule.summary.format(count=count, subject=subject)[:300],
        event_count=count,
        webhook_state=WebhookState.PENDING if webhook else WebhookState.NONE,
    )
    cache.set(marker, alert.pk, timeout=QUIET_PERIOD)
    metrics.ALERTS.labels(rule=rule.name).inc()
    logger.error(
        "security alert",
        extra={
            "event": "security_alert",
            "alert_id": alert.pk,
            "rule": rule.name,
            "severity": rule.severity,
            "subject": alert.subject,
            "count": count,
            "summary": alert.summary,
            "security_event_id": event_id,
        },
    )
    # Stored without asking the rules again: no rule counts alert_raised.
    security_event_store(
        kind=SecurityEventKind.ALERT_RAISED,
        details={"rule": rule.name, "alert": alert.pk, "subject": alert.subject},
    )
    if webhook:
        payload = alert_payload(alert)
        transaction.on_commit(lambda: forwarder().submit(payload))
    return alert


def alert_payload(alert: Alert) -> dict:
    return {
        "type": "security_alert",
        "shop": settings.SHOP_NAME,
        "id": alert.pk,
        "rule": alert.rule,
        "severity": alert.severity,
        "subject": alert.subject,
        "summary": alert.summary,
        "event_count": alert.event_count,
        "raised_at": alert.created_at.isoformat(),
    }


def alert_acknowledge(*, alert_id: int, user_id: int | None) -> bool:
    return bool(
        Alert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by_id=user_id
        )
    )
