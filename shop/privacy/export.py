"""The account export: everything the shop holds about a shopper, as one JSON document,
streamed (orders in batches), audited, never cached. Read through the same scoped queries
as the shopper's own pages (shop/policy/access.py, shop/cart/selectors.py)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from typing import Any

from axes.models import AccessAttempt
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone

from shop.accounts.models import RefreshToken, User
from shop.accounts.principal import Principal
from shop.accounts.throttle import throttle_check
from shop.cart.models import CartLine
from shop.cart.selectors import cart_for
from shop.core import json
from shop.monitoring.events import BY_SUBJECT
from shop.monitoring.models import AuditEvent, SecurityEvent, SecurityEventKind
from shop.orders.models import Order, Payment
from shop.policy import access

from .models import Consent, UserSession
from .services import audit_self

logger = logging.getLogger("shop.privacy")

EXPORT_FORMAT = "buy-from-me/account-export"
EXPORT_VERSION = 1
AUDIT_EXPORT = "account.export"


def account_export_begin(*, request: HttpRequest, user: User, via: str) -> Iterator[bytes]:
    """Throttle and audit an export, then hand back its chunks (account_export)."""
    throttle_check(request=request, scope="data_export", account=f"user-{user.pk}")
    audit_self(request=request, user_id=user.pk, action=AUDIT_EXPORT, via=via)
    logger.info("account export", extra={"export_user_id": user.pk, "via": via})
    return account_export(user=user)


def export_filename(*, now: dt.datetime | None = None) -> str:
    return f"buy-from-me-my-data-{(now or timezone.now()):%Y-%m-%d}.json"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": str(user.public_id),
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
            "state": a.state, "postal_code": a.postal_code, "country": a.country,
            "phone": a.phone, "is_default": a.is_default,
            "created_at": _iso(a.created_at), "updated_at": _iso(a.updated_at),
        }
        for a in access.address_list_for(viewer=viewer)
    ]


def _cart(viewer: Principal) -> dict[str, Any] | None:
    cart = cart_for(viewer=viewer)
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
        # Anyone can type the shopper's address into the sign-in form: the address and browser
        # of whoever did are about that person, not the shopper, and are not exported; when
        # and how often are.
        "failed_sign_in_records": [
            {"last_attempt_at": _iso(a.attempt_time), "failures": a.failures_since_start}
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


_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _route_of(path: str) -> str:
    """The page or API route a path belongs to, with its parameters as `{name}`
    (`/api/v1/guest/orders/{number}`): the values typed into a path (an order number, an
    address id) may be anyone's, and a copy must not hand another person's back to the
    shopper. A path that is no route of the shop is not listed."""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return "/" + _PARAMETER.sub(r"{\1}", match.route)


def _security_event(event: SecurityEvent) -> dict[str, Any]:
    """An event about the shopper's account. Where it came from (address, route) is exported
    only when the shopper made the request themselves (signed in as the account); a failed
    sign-in or a refused token from anyone else is about that other person."""
    own = bool(event.details.get(BY_SUBJECT))
    return {"kind": event.kind, "created_at": _iso(event.created_at),
            "ip": event.ip if own else None, "path": _route_of(event.path) if own else "",
            "by_you": own,
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
