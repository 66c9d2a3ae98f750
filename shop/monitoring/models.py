"""Security events: who tried what, when and from where (docs/threats.md case 22).

One row per event. `user_id` is a plain number, not a foreign key: the record outlives the
account it names (an erased account must not erase the trail of attacks against it).
`details` never holds passwords, tokens or card data; services.security_event_record drops
such keys before anything is written.
"""

from django.db import models
from django.utils import timezone


class SecurityEventKind(models.TextChoices):
    TOKEN_INVALID = "token_invalid", "Invalid bearer token"
    REFRESH_INVALID = "refresh_invalid", "Invalid refresh token"
    REFRESH_REPLAY = "refresh_replay", "Refresh token replayed (family revoked)"
    SIGNIN_FAILED = "signin_failed", "Sign-in failed"
    SIGNIN_LOCKED = "signin_locked", "Sign-in refused: locked out"
    THROTTLED = "throttled", "Request throttled"
    # shop/policy/access.py: a real object number that belongs to someone else (the shopper
    # sees the same 404 as for a missing one)
    OBJECT_ACCESS_DENIED = "object_access_denied", "Another user's object requested"
    OWNERSHIP_GUARD_TRIPPED = "ownership_guard_tripped", "Ownership guard tripped"
    STAFF_PERMISSION_DENIED = "staff_permission_denied", "Staff route refused (role)"
    ALERT_RAISED = "alert_raised", "Alert raised"


class SecurityEvent(models.Model):
    kind = models.CharField(max_length=64)
    user_id = models.PositiveBigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="secevent_created_idx"),
            models.Index(fields=["kind", "created_at"], name="secevent_kind_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M:%S}"


# --- the audit log (shop/monitoring/audit.py): append-only


class AuditLogImmutable(Exception):
    """Raised by any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutable("audit events cannot be changed")

    def delete(self):
        raise AuditLogImmutable("audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogImmutable("audit events cannot be changed")


class AuditEvent(models.Model):
    """One staff read of a customer's data, or one staff change. Append-only: the model
    refuses updates and deletes, no route changes one, the admin shows them read-only, and a
    database trigger refuses UPDATE (and DELETE on PostgreSQL; migration 0002).

    Actor and customer are plain numbers, not foreign keys: the trail outlives both accounts.
    `details` never holds passwords, tokens or card data (cleaned like security events)."""

    created_at = models.DateTimeField(default=timezone.now)
    actor_id = models.PositiveBigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    customer_id = models.PositiveBigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    via = models.CharField(max_length=16, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="audit_created_idx"),
            models.Index(fields=["customer_id", "created_at"], name="audit_customer_idx"),
            models.Index(fields=["actor_id", "created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable("audit events cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable("audit events cannot be deleted")


# --- alerts (shop/monitoring/alerts.py)


class AlertSeverity(models.TextChoices):
    WARNING = "warning", "Warning"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class WebhookState(models.TextChoices):
    NONE = "none", "No webhook configured"
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Alert(models.Model):
    """An anomaly rule that fired: one row per rule and subject (user or address) per quiet
    period; later events in that period raise `event_count` instead of new rows."""

    rule = models.CharField(max_length=64)
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    subject = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    event_count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by_id = models.PositiveBigIntegerField(null=True, blank=True)
    webhook_state = models.CharField(
        max_length=10, choices=WebhookState.choices, default=WebhookState.NONE
    )
    webhook_attempts = models.PositiveSmallIntegerField(default=0)
    webhook_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="alert_created_idx"),
            models.Index(fields=["webhook_state", "created_at"], name="alert_webhook_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.subject})"
