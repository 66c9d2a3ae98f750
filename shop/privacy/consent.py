"""Marketing email: only with an explicit opt-in, stored with its date and wording, and revocable
in one click from every marketing email.

- The opt-in is a box the shopper ticks on the privacy page (never pre-ticked, never a
  condition of anything else). What is stored is the exact wording they saw, its version, when
  and through which interface (models.Consent).
- Every marketing email carries a signed unsubscribe link in its body and in the
  `List-Unsubscribe` / `List-Unsubscribe-Post` headers (RFC 2369, RFC 8058: mail clients show
  an "Unsubscribe" button that POSTs to it). Opening the link withdraws the consent at once,
  without signing in, and the page it shows names nobody.
- `marketing_email_send` refuses to send to anyone without a live consent.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shop.accounts.models import User

from .models import Consent, ConsentPurpose

MARKETING_WORDING = (
    "Yes, send me occasional emails about new products and offers from {shop}. "
    "I can unsubscribe at any time with one click from any of these emails."
)
MARKETING_WORDING_VERSION = "2026-11"
_UNSUBSCRIBE_SALT = "shop.privacy.consent.unsubscribe"


def marketing_wording() -> str:
    return MARKETING_WORDING.format(shop=settings.SHOP_NAME)


def marketing_consent_get(*, user: User) -> Consent | None:
    """The user's live marketing consent, or None."""
    return Consent.objects.filter(
        user=user, purpose=ConsentPurpose.MARKETING_EMAIL, withdrawn_at__isnull=True
    ).first()


def marketing_consent_give(*, user: User, via: str) -> Consent:
    """Record an explicit opt-in with today's wording. Giving it twice keeps the first."""
    current = marketing_consent_get(user=user)
    if current is not None:
        return current
    try:
        with transaction.atomic():
            return Consent.objects.create(
                user=user,
                purpose=ConsentPurpose.MARKETING_EMAIL,
                wording=marketing_wording(),
                wording_version=MARKETING_WORDING_VERSION,
                given_via=via[:20],
            )
    except IntegrityError:  # a concurrent opt-in won: one live consent per purpose
        return marketing_consent_get(user=user)  # type: ignore[return-value]


def marketing_consent_withdraw(*, user_id: int, via: str) -> bool:
    """Withdraw the live marketing consent of a user, if any. Idempotent."""
    return bool(
        Consent.objects.filter(
            user_id=user_id, purpose=ConsentPurpose.MARKETING_EMAIL, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now(), withdrawn_via=via[:20])
    )


# --- the one-click link


def unsubscribe_token(*, user: User) -> str:
    """A signed, opaque token for the user's unsubscribe link. It does not expire: a link in
    an old email must keep working."""
    return signing.dumps({"u": user.pk, "p": ConsentPurpose.MARKETING_EMAIL},
                         salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_by_token(*, token: str) -> bool:
    """Withdraw the consent the token names. False for a token that is not ours (tampered,
    truncated); True otherwise, whether or not there was anything to withdraw or the account
    still exists: the answer must not tell anyone whose link it is."""
    try:
        payload = signing.loads(token[:500], salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return False
    user_id = payload.get("u") if isinstance(payload, dict) else None
    if isinstance(user_id, int):
        marketing_consent_withdraw(user_id=user_id, via="email_link")
    return True


def unsubscribe_url(*, user: User, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("web:unsubscribe", args=[unsubscribe_token(user=user)])


def marketing_email_send(*, user: User, subject: str, body: str, base_url: str) -> bool:
    """Send one marketing email, only to a user with a live consent. The unsubscribe link is
    appended to the body and offered as one-click headers. Returns whether it was sent."""
    if not user.is_active or marketing_consent_get(user=user) is None:
        return False
    link = unsubscribe_url(user=user, base_url=base_url)
    message = EmailMessage(
        subject=subject,
        body=f"{body.rstrip()}\n\n--\nYou get this email because you asked for news from "
        f"{settings.SHOP_NAME}. Unsubscribe with one click: {link}\n",
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send(fail_silently=False)
    return True
