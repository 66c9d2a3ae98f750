"""What the privacy app stores itself: which sessions a user is signed in with (so that an
erasure can end them at once), and marketing consent with its date and wording.

Everything here belongs to one user and goes with the account (CASCADE) when it is erased.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class UserSession(models.Model):
    """One signed-in browser session of a user. Written at sign-in (receivers.py), moved to the
    new key when the session key is cycled, removed when the session ends (sessions.py). Rows of
    sessions that simply expired are removed by `manage.py purge_personal_data`.

    Holds no address or user agent: only when the sign-in happened."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_in_at", "-id"]
        indexes = [models.Index(fields=["user", "signed_in_at"], name="usersession_user_idx")]

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class ConsentPurpose(models.TextChoices):
    MARKETING_EMAIL = "marketing_email", "Marketing email"


class Consent(models.Model):
    """An explicit opt-in: what the shopper agreed to, in which words, when and how; and when
    and how it was withdrawn. A withdrawn consent stays as the record of both (until the
    account is erased); a new opt-in is a new row. At most one live row per user and purpose."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    wording = models.TextField()
    wording_version = models.CharField(max_length=20)
    given_at = models.DateTimeField(default=timezone.now)
    given_via = models.CharField(max_length=20)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_via = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="privacy_consent_one_live_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} consent of user {self.user_id}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
