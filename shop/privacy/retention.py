"""Retention: personal data that outlives its purpose is dropped on a schedule.

`personal_data_purge()` is what `manage.py purge_personal_data` runs (daily, from cron or a
systemd timer). It is idempotent: a second run the same day changes nothing, and only records
older than the limit are touched.

All limits are SHOP_IP_RETENTION_DAYS (90) unless said otherwise:

- security events and audit events: the client address is dropped (NULL; the audit log
  through redaction.py);
- alerts that name an address (subject, summary, and the `alert_raised` event's details): the
  address becomes its /24 or /48 network;
- django-axes sign-in failure records (the email typed, the address, the browser): deleted;
- expired sessions (at their expiry, Django's clearsessions) and the register rows of sessions
  that are gone: deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from shop.monitoring.models import Alert, SecurityEvent, SecurityEventKind

from . import redaction
from .models import UserSession
from .sessions import SessionStore

logger = logging.getLogger("shop.privacy")

ALERT_ADDRESS_PREFIX = "address "  # shop/monitoring/alerts.py names address subjects so


@dataclass
class PurgeReport:
    cutoff: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def ip_retention_cutoff(*, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.SHOP_IP_RETENTION_DAYS)


def _alert_subject_truncated(subject: str) -> str | None:
    """"address 203.0.113.7" -> "address 203.0.113.0/24"; None when there is nothing to do
    (not an address, or already a network)."""
    if not subject.startswith(ALERT_ADDRESS_PREFIX) or "/" in subject:
        return None
    try:
        network = redaction.ip_network_of(subject.removeprefix(ALERT_ADDRESS_PREFIX).strip())
    except ValueError:
        return None
    return ALERT_ADDRESS_PREFIX + network


def _alerts_truncate(cutoff: dt.datetime) -> int:
    changed = 0
    candidates = Alert.objects.filter(
        created_at__lt=cutoff, subject__startswith=ALERT_ADDRESS_PREFIX
    ).exclude(subject__contains="/")
    for alert in candidates.only("subject", "summary"):
        subject = _alert_subject_truncated(alert.subject)
        if subject is None:
            continue
        Alert.objects.filter(pk=alert.pk).update(
            subject=subject, summary=alert.summary.replace(alert.subject, subject)
        )
        changed += 1
    raised = SecurityEvent.objects.filter(
        created_at__lt=cutoff,
        kind=SecurityEventKind.ALERT_RAISED,
        details__subject__startswith=ALERT_ADDRESS_PREFIX,
    )
    for event in raised.only("details"):
        subject = _alert_subject_truncated(str(event.details.get("subject", "")))
        if subject is None:
            continue
        SecurityEvent.objects.filter(pk=event.pk).update(
            details={**event.details, "subject": subject}
        )
        changed += 1
    return changed


def personal_data_purge(*, now: dt.datetime | None = None) -> PurgeReport:
    """Apply every retention limit once (see the module docstring)."""
    cutoff = ip_retention_cutoff(now=now)
    report = PurgeReport(cutoff=cutoff)
    counts = report.counts
    with transaction.atomic():
        counts["security_event_ips"] = SecurityEvent.objects.filter(
            created_at__lt=cutoff, ip__isnull=False
        ).update(ip=None)
    audit_old = redaction.AuditEvent.objects.filter(created_at__lt=cutoff, ip__isnull=False)
    counts["audit_event_ips"] = 0
    if audit_old.exists():
        with redaction.audit_log_unlocked() as audit:
            counts["audit_event_ips"] = audit._base_manager.filter(
                created_at__lt=cutoff, ip__isnull=False
            ).update(ip=None)
    with transaction.atomic():
        counts["alert_addresses"] = _alerts_truncate(cutoff)
    signin_records = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted, _ = model.objects.filter(attempt_time__lt=cutoff).delete()
        signin_records += deleted
    counts["signin_failure_records"] = signin_records
    expired_before = Session.objects.filter(expire_date__lt=timezone.now()).count()
    SessionStore.clear_expired()
    counts["expired_sessions"] = expired_before
    counts["session_register"] = _session_register_prune()
    logger.info("personal data purge", extra={"cutoff": cutoff.isoformat(), **counts})
    return report


def _session_register_prune() -> int:
    """Register rows whose session is gone (expired and cleared, or deleted by a bulk
    operation that did not go through the session store)."""
    gone = UserSession.objects.exclude(
        session_key__in=Session.objects.values("session_key")
    )
    deleted, _ = gone.delete()
    return deleted
