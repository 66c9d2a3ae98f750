"""Staff reads of the security records: the audit log, security events and alerts, for a role
that may see them (staff.view_security)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from shop.core.pagination import Page, page_limit
from shop.monitoring.models import Alert, AuditEvent, SecurityEvent

from .access import Actor, require
from .roles import Perm


def audit_event_page(
    *, actor: Actor, customer_id: int | None = None, actor_id: int | None = None,
    action: str = "", before: int | None = None, limit: int = 50,
) -> Page:
    require(actor, Perm.VIEW_SECURITY)
    queryset = AuditEvent.objects.all()
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if actor_id is not None:
        queryset = queryset.filter(actor_id=actor_id)
    if action:
        queryset = queryset.filter(action=action[:64])
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    limit = page_limit(limit)
    rows = list(queryset.order_by("-pk")[: limit + 1])
    items = rows[:limit]
    return Page(items=items, next_cursor=str(items[-1].pk) if len(rows) > limit else None)


def security_event_page(*, actor: Actor, kind: str = "", user_id: int | None = None,
                        before: int | None = None, limit: int = 50) -> Page:
    require(actor, Perm.VIEW_SECURITY)
    queryset = SecurityEvent.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind[:64])
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    limit = page_limit(limit)
    rows = list(queryset.order_by("-pk")[: limit + 1])
    items = rows[:limit]
    return Page(items=items, next_cursor=str(items[-1].pk) if len(rows) > limit else None)


def alert_list(*, actor: Actor, open_only: bool = False, limit: int = 50) -> list[Alert]:
    require(actor, Perm.VIEW_SECURITY)
    queryset = Alert.objects.all()
    if open_only:
        queryset = queryset.filter(acknowledged_at__isnull=True)
    return list(queryset.order_by("-pk")[: page_limit(limit)])


def security_summary(*, actor: Actor) -> dict[str, int]:
    """Security events of the last 24 hours by kind."""
    require(actor, Perm.VIEW_SECURITY)
    since = timezone.now() - dt.timedelta(hours=24)
    rows = (
        SecurityEvent.objects.filter(created_at__gte=since).order_by()
        .values("kind").annotate(n=Count("pk"))
    )
    return {row["kind"]: row["n"] for row in sorted(rows, key=lambda r: -r["n"])}
