"""Security events: who tried what, when and from where (SECURITY.md case 22).

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
