"""Privacy rights (GDPR arts. 15, 17, 20; CCPA "know" and "delete"): export and erasure.

- `account_export(user=...)`: everything the shop holds about one shopper, as a JSON document
  produced in chunks (for a StreamingHttpResponse): profile, addresses, cart, orders with their
  lines and payments, consents, sign-ins, the security events about their own credentials and
  the audit events about them. Reads go through shop/policy/access.py (the viewer is the
  shopper), and each order is checked once more against the owner before it is written out.
- `account_erase(...)`: the account and everything hanging off it is deleted (profile,
  addresses, cart, tokens, sessions, consents); orders stay for the accounts but are detached
  and their name, email and address replaced by placeholders; the email address is cut out of
  the security and audit records and of django-axes' sign-in records; a confirmation goes to
  the old address.

Both are keyword-only and typed; the storefront (shop/web/views/privacy.py) and the API
(shop/api/privacy.py, shop/api/accounts.py) call them. docs/privacy.md describes the whole.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from shop.accounts.models import User
from shop.accounts.services import MAX_PASSWORD_LENGTH
from shop.accounts.throttle import email_fingerprint, throttle_check
from shop.cart.models import Cart
from shop.core.request_context import current_request_id
from shop.monitoring import metrics
from shop.monitoring.client import client_ip
from shop.monitoring.models import AuditEvent, SecurityEvent, SecurityEventKind
from shop.monitoring.services import security_event_record
from shop.orders.models import Order
from shop.orders.selectors import orders_open_for

from . import redaction
from .errors import OrdersOpen, PasswordIncorrect, StaffAccountKept
from .sessions import session_keys_of, sessions_end

logger = logging.getLogger("shop.privacy")


# Audit actions of the shopper's own privacy requests (AuditEvent.action).
AUDIT_ERASE = "account.erase"

# What an anonymised order says instead of the person (the country stays: tax and statistics
# need it, and alone it names nobody).
ORDER_PLACEHOLDER_NAME = "Erased customer"
ORDER_PLACEHOLDER = "(erased)"

# The session mark of a fresh password confirmation on the storefront (views/privacy.py).
CONFIRMED_SESSION_KEY = "bfm_privacy_confirmed_at"


# --- confirming the password


def password_confirm(*, request: HttpRequest, user: User, password: str) -> None:
    """The signed-in user proves they are at the keyboard. Throttled per account (the password
    is a guess otherwise); a wrong one is a security event like a failed sign-in."""
    throttle_check(request=request, scope="password_confirm", account=f"user-{user.pk}")
    if 0 < len(password or "") <= MAX_PASSWORD_LENGTH and user.check_password(password):
        return
    security_event_record(
        kind=SecurityEventKind.SIGNIN_FAILED,
        request=request,
        user_id=user.pk,
        details={"step": "password_confirm"},
    )
    raise PasswordIncorrect()


def session_mark_confirmed(*, session) -> None:
    session[CONFIRMED_SESSION_KEY] = timezone.now().timestamp()


def session_recently_confirmed(*, session) -> bool:
    """True while a password confirmation of this session is younger than
    SHOP_PRIVACY_CONFIRM_SECONDS."""
    stamp = session.get(CONFIRMED_SESSION_KEY)
    if not isinstance(stamp, int | float):
        return False
    age = timezone.now().timestamp() - stamp
    return 0 <= age <= settings.SHOP_PRIVACY_CONFIRM_SECONDS


# --- the audit record of a shopper's own request


def audit_self(*, request: HttpRequest | None, user_id: int, action: str, via: str,
                details: dict[str, Any] | None = None) -> AuditEvent:
    """An audit event whose actor is the shopper. Like shop.monitoring.audit.audit_record, but
    without an actor email: the audit log must not become a second copy of the customer list."""
    event = AuditEvent.objects.create(
        actor_id=user_id,
        actor_email="",
        actor_role="customer",
        action=action,
        object_type="account",
        object_id=str(user_id),
        customer_id=user_id,
        ip=(client_ip(request) or None) if request is not None else None,
        request_id=((getattr(request, "request_id", "") if request is not None else "")
                    or current_request_id())[:64],
        via=via,
        details=details or {},
    )
    metrics.AUDIT_EVENTS.labels(action=action).inc()
    logging.getLogger("shop.audit").info(
        "audit event",
        extra={"event": "audit", "action": action, "actor_id": user_id,
               "object": f"account:{user_id}", "customer_id": user_id},
    )
    return event


# --- erasure


def orders_anonymise(queryset: QuerySet[Order]) -> int:
    """Detach orders from their person: no user, no email, placeholders for the name and the
    address (the country stays). Totals, lines, payments and dates are kept."""
    return queryset.update(
        user=None,
        email="",
        ship_name=ORDER_PLACEHOLDER_NAME,
        ship_line1=ORDER_PLACEHOLDER,
        ship_line2="",
        ship_city=ORDER_PLACEHOLDER,
        ship_postal_code=ORDER_PLACEHOLDER,
        ship_phone="",
    )


def email_redact_everywhere(*, email: str) -> int:
    """Cut an email address out of the records that outlive an account: security event details
    (the address, or the short hash failed sign-ins name it by) and paths, audit event details
    (what staff searched for) and actor emails, and django-axes' sign-in records (deleted: they
    exist only for lockouts). Returns how many rows changed."""
    changed = 0
    for event in SecurityEvent.objects.filter(details__icontains=email).only("details"):
        details, hit = redaction.text_without(event.details, email)
        if hit:
            SecurityEvent.objects.filter(pk=event.pk).update(details=details)
            changed += 1
    changed += SecurityEvent.objects.filter(path__icontains=email).update(path="")
    # failed sign-ins name the account typed by a short hash of the address: unlinked too
    fingerprint = email_fingerprint(email)
    for event in SecurityEvent.objects.filter(details__account=fingerprint).only("details"):
        SecurityEvent.objects.filter(pk=event.pk).update(
            details={**event.details, "account": redaction.ERASED}
        )
        changed += 1
    audit_rows = list(
        AuditEvent.objects.filter(details__icontains=email).values_list("pk", "details")
    )
    if audit_rows or AuditEvent.objects.filter(actor_email__iexact=email).exists():
        with redaction.audit_log_unlocked() as audit:
            for pk, details in audit_rows:
                cleaned, hit = redaction.text_without(details, email)
                if hit:
                    audit._base_manager.filter(pk=pk).update(details=cleaned)
                    changed += 1
            changed += audit._base_manager.filter(actor_email__iexact=email).update(
                actor_email=""
            )
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted, _ = model.objects.filter(username__iexact=email).delete()
        changed += deleted
    return changed


def account_erase(*, request: HttpRequest, user: User, password: str, via: str) -> None:
    """Erase the user's account after checking their password (see the module docstring).
    Raises PasswordIncorrect, StaffAccountKept, OrdersOpen (orders not finished: shipped
    goods need the address) or Throttled."""
    if user.is_staff or user.is_superuser:
        raise StaffAccountKept()
    password_confirm(request=request, user=user, password=password)
    user_id, email = user.pk, user.email
    with transaction.atomic():
        # The user row first: a checkout of this account takes the same lock first
        # (shop/orders/stock.py), so an order is either placed before (and seen here) or finds
        # the account gone.
        if not User.objects.select_for_update().filter(pk=user_id).exists():
            return  # erased a moment ago by a concurrent request
        if orders_open_for(user_id=user_id):
            raise OrdersOpen()
        anonymised = orders_anonymise(Order.objects.filter(user_id=user_id))
        audit_self(request=request, user_id=user_id, action=AUDIT_ERASE, via=via,
                    details={"orders_anonymised": anonymised})
        redacted = email_redact_everywhere(email=email)
        session_keys = session_keys_of(user_id=user_id)
        ended = sessions_end(keys=session_keys)
        # The cart first, loaded whole: the ownership guard sees whose it is (the cascade
        # below would load it with its primary key only, and the guard fails closed on that).
        Cart.objects.filter(user_id=user_id).delete()
        # Cascades: addresses, refresh tokens, idempotency keys,
        # consents, the session register, group memberships. Access tokens die with the row
        # (their user is unknown from now on).
        User.objects.filter(pk=user_id).delete()
        # Once more after commit: a request that read one of these sessions from the database
        # before the commit may have put it back in the cache meanwhile.
        transaction.on_commit(lambda: sessions_end(keys=session_keys))
        transaction.on_commit(lambda: _erasure_confirmation_send(email=email))
    logger.info(
        "account erased",
        extra={"erased_user_id": user_id, "orders_anonymised": anonymised,
               "records_redacted": redacted, "sessions_ended": ended, "via": via},
    )


def _erasure_confirmation_send(*, email: str) -> None:
    try:
        send_mail(
            subject=f"Your {settings.SHOP_NAME} account has been deleted",
            message=render_to_string(
                "privacy/email/account_erased.txt", {"shop_name": settings.SHOP_NAME}
            ),
            from_email=None,
            recipient_list=[email],
        )
    except Exception:  # the erasure stands; the log says so without the address
        logger.exception("erasure confirmation email failed")
