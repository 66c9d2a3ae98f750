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

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from shop.accounts.models import RefreshToken, User
from shop.accounts.principal import Principal
from shop.accounts.services import MAX_PASSWORD_LENGTH
from shop.accounts.throttle import email_fingerprint, throttle_check
from shop.cart.models import Cart, CartLine
from shop.core import json
from shop.core.request_context import current_request_id
from shop.monitoring import metrics
from shop.monitoring.client import client_ip
from shop.monitoring.models import AuditEvent, SecurityEvent, SecurityEventKind
from shop.monitoring.services import security_event_record
from shop.orders.models import Order, Payment
from shop.orders.selectors import orders_open_for
from shop.policy import access

from . import redaction
from .errors import OrdersOpen, PasswordIncorrect, StaffAccountKept
from .models import Consent, UserSession
from .sessions import session_keys_of, sessions_end

logger = logging.getLogger("shop.privacy")

EXPORT_FORMAT = "buy-from-me/account-export"
EXPORT_VERSION = 1

# Audit actions of the shopper's own privacy requests (AuditEvent.action).
AUDIT_EXPORT = "account.export"
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


def _audit_self(*, request: HttpRequest | None, user_id: int, action: str, via: str,
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


# --- export


def account_export_begin(*, request: HttpRequest, user: User, via: str) -> Iterator[bytes]:
    """Throttle and audit an export, then hand back its chunks (account_export)."""
    throttle_check(request=request, scope="data_export", account=f"user-{user.pk}")
    _audit_self(request=request, user_id=user.pk, action=AUDIT_EXPORT, via=via)
    logger.info("account export", extra={"export_user_id": user.pk, "via": via})
    return account_export(user=user)


def export_filename(*, now: dt.datetime | None = None) -> str:
    return f"buy-from-me-my-data-{(now or timezone.now()):%Y-%m-%d}.json"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "email_verified_at": _iso(user.email_verified_at),
        "date_joined": _iso(user.date_joined),
        "last_sign_in": _iso(user.last_login),
        "is_active": user.is_active,
    }


def _addresses(viewer: Principal) -> list[dict[str, Any]]:
    return [
        {
            "name": a.name, "line1": a.line1, "line2": a.line2, "city": a.city,
            "postal_code": a.postal_code, "country": a.country, "is_default": a.is_default,
            "created_at": _iso(a.created_at), "updated_at": _iso(a.updated_at),
        }
        for a in access.address_list_for(viewer=viewer)
    ]


def _cart(viewer: Principal) -> dict[str, Any] | None:
    cart = access.cart_for(viewer=viewer)
    if cart is None:
        return None
    lines = CartLine.objects.filter(cart=cart).order_by("added_at", "id")
    return {
        "created_at": _iso(cart.created_at),
        "updated_at": _iso(cart.updated_at),
        "items": [
            {"sku": line.sku, "name": line.name, "quantity": line.quantity,
             "added_at": _iso(line.added_at)}
            for line in lines
        ],
    }


def _order(order: Order, payments: list[Payment]) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "created_at": _iso(order.created_at),
        "paid_at": _iso(order.paid_at),
        "email": order.email,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "shipping": order.shipping_total,
        "total": order.total,
        "item_count": order.item_count,
        "shipping_address": order.shipping_address,
        "shipping_method": {"code": order.shipping_method_code,
                            "name": order.shipping_method_name},
        "card": {"brand": order.payment_brand, "last4": order.payment_last4},
        "items": [
            {"sku": line.sku, "name": line.product_name, "variant": line.variant_label,
             "quantity": line.quantity, "unit_price": line.unit_price,
             "line_total": line.line_total}
            for line in order.lines.all()
        ],
        "payments": [
            {"gateway": p.gateway, "reference": p.reference, "amount": p.amount,
             "currency": p.currency, "status": p.status, "brand": p.brand, "last4": p.last4,
             "created_at": _iso(p.created_at)}
            for p in payments
        ],
    }


def _orders(viewer: Principal) -> Iterator[list[dict[str, Any]]]:
    """The shopper's orders, a page at a time, through the access layer (newest first).
    Each order is checked once more against the owner: a wrong one ends the export."""
    cursor = None
    while True:
        page = access.order_list_for(
            viewer=viewer, cursor=cursor, limit=access.ORDER_PAGE_MAX, with_lines=True
        )
        if not page.items:
            return
        for order in page.items:
            if order.user_id != viewer.user_id:  # the access layer is the first line
                raise RuntimeError("export: an order that is not the shopper's")
        payments: dict[int, list[Payment]] = {}
        for payment in Payment.objects.filter(order__in=page.items).order_by("created_at", "id"):
            payments.setdefault(payment.order_id, []).append(payment)
        yield [_order(order, payments.get(order.pk, [])) for order in page.items]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _consents(user: User) -> list[dict[str, Any]]:
    return [
        {"purpose": c.purpose, "wording": c.wording, "wording_version": c.wording_version,
         "given_at": _iso(c.given_at), "given_via": c.given_via,
         "withdrawn_at": _iso(c.withdrawn_at), "withdrawn_via": c.withdrawn_via}
        for c in Consent.objects.filter(user=user).order_by("given_at", "id")
    ]


def _sign_ins(user: User) -> dict[str, Any]:
    return {
        "last_sign_in": _iso(user.last_login),
        "signed_in_browser_sessions": [
            {"signed_in_at": _iso(s.signed_in_at)}
            for s in UserSession.objects.filter(user=user).order_by("signed_in_at", "id")
        ],
        "api_tokens": [
            {"issued_at": _iso(t.created_at), "expires_at": _iso(t.expires_at),
             "used_at": _iso(t.used_at), "revoked_at": _iso(t.revoked_at)}
            for t in RefreshToken.objects.filter(user=user).order_by("created_at", "id")
        ],
        # django-axes keeps failed sign-ins by the email address typed (for lockouts)
        "failed_sign_in_records": [
            {"last_attempt_at": _iso(a.attempt_time), "ip": a.ip_address,
             "user_agent": a.user_agent, "failures": a.failures_since_start}
            for a in AccessAttempt.objects.filter(username__iexact=user.email)
            .order_by("attempt_time", "id")
        ],
    }


def _rows(queryset: QuerySet, shape, *, batch: int = 500) -> Iterator[bytes]:
    """A JSON array of `shape(row)` for every row, in chunks of `batch` rows."""
    yield b"["
    first = True
    buffer: list[bytes] = []
    for row in queryset.iterator(chunk_size=batch):
        buffer.append((b"" if first else b",") + json.dumps(shape(row)))
        first = False
        if len(buffer) >= batch:
            yield b"".join(buffer)
            buffer = []
    if buffer:
        yield b"".join(buffer)
    yield b"]"


# The security events an export lists: those about the shopper's own credentials. Not listed:
# events whose very existence tells something about another shopper (`object_access_denied`
# is recorded only when the order asked for exists and is someone else's: listing it, or even
# its time, would undo the identical 404; `ownership_guard_tripped` names other owners; alerts
# are about many events). GDPR art. 15(4): a copy must not reveal the rights of others.
EXPORTED_SECURITY_EVENT_KINDS = (
    SecurityEventKind.SIGNIN_FAILED,
    SecurityEventKind.SIGNIN_LOCKED,
    SecurityEventKind.TOKEN_INVALID,
    SecurityEventKind.REFRESH_INVALID,
    SecurityEventKind.REFRESH_REPLAY,
    SecurityEventKind.THROTTLED,
)
_EXPORTED_DETAIL_KEYS = ("reason", "scope", "step")


def _security_event(event: SecurityEvent) -> dict[str, Any]:
    return {"kind": event.kind, "created_at": _iso(event.created_at), "ip": event.ip,
            "path": event.path,
            "details": {k: v for k, v in event.details.items() if k in _EXPORTED_DETAIL_KEYS}}


def _audit_event(event: AuditEvent) -> dict[str, Any]:
    # Who at the shop read or changed the shopper's data is told by role, not by name.
    return {"created_at": _iso(event.created_at), "action": event.action,
            "object_type": event.object_type, "object_id": event.object_id,
            "by": "you" if event.actor_id == event.customer_id else event.actor_role or "staff",
            "via": event.via}


def account_export(*, user: User) -> Iterator[bytes]:
    """Everything the shop holds about `user`, as one JSON object, in chunks. Nothing of
    anyone else: every query is scoped to this user."""
    viewer = Principal(user=user, via="session")
    yield b'{"format":' + json.dumps(EXPORT_FORMAT)
    yield b',"version":' + json.dumps(EXPORT_VERSION)
    yield b',"generated_at":' + json.dumps(timezone.now().isoformat())
    yield b',"profile":' + json.dumps(_profile(user))
    yield b',"addresses":' + json.dumps(_addresses(viewer))
    yield b',"cart":' + json.dumps(_cart(viewer))
    yield b',"orders":['
    first = True
    for page in _orders(viewer):
        yield (b"" if first else b",") + b",".join(json.dumps(order) for order in page)
        first = False
    yield b'],"consents":' + json.dumps(_consents(user))
    yield b',"sign_ins":' + json.dumps(_sign_ins(user))
    yield b',"security_events":'
    yield from _rows(
        SecurityEvent.objects.filter(
            user_id=user.pk, kind__in=EXPORTED_SECURITY_EVENT_KINDS
        ).order_by("created_at", "id"),
        _security_event,
    )
    yield b',"audit_events":'
    yield from _rows(
        AuditEvent.objects.filter(customer_id=user.pk).order_by("created_at", "id"),
        _audit_event,
    )
    yield b"}"


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
        _audit_self(request=request, user_id=user_id, action=AUDIT_ERASE, via=via,
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
