"""The ownership guard: a user-owned object never leaves in a response to anyone but its owner.

access.py is the first line: every read of a cart or an order is a scoped query. This module is
the second, for the day a selector, a view or a template is wrong (the seed's "validate
responses before sending", SECURITY.md case 17):

- every instance of an owned model (OwnedModel: carts, orders) that is loaded from the database
  while a request is served is noted on that request's ledger. The note is taken in
  `from_db`, under every queryset, so no selector, view or template can forget it;
- before the response leaves, OwnershipGuardMiddleware compares each noted owner with who is
  asking. One mismatch and the whole response is replaced by the generic 500, and the
  security event `ownership_guard_tripped` is recorded.

Who may receive an owned object:
- its user, when the request's principal is that user. On session requests Django's
  `request.user` also counts, so that the sign-in request itself (which loads the shopper's cart
  while merging the guest cart) is covered; on bearer-token requests only the token's user does;
- a guest cart, only the browser whose session holds that cart's guest token (or gave it up
  during this very request, when the guest cart merged into the shopper's at sign-in);
- staff, only on staff routes (STAFF_ROUTE_PREFIXES), which do their own permission checks
  and auditing;
- nobody, on the payment provider's webhook routes (PROVIDER_ROUTE_PREFIXES): they settle
  orders for the provider, authenticated by its signature, and answer a fixed
  acknowledgement that carries no object.

The ledger is a ContextVar: per thread and per request, never shared between two requests. It
holds (model, primary key, owner) tuples only, not the objects.
"""

from __future__ import annotations

import logging
import secrets
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("shop.policy.ownership")

# The session key of a guest's own token: guest-owned objects (a guest cart) carry the same
# token. Sign-out flushes the session, and the guest's objects leave the browser with it.
GUEST_SESSION_KEY = "bfm_guest_token"

# Route names (prefixes) where staff may receive other people's objects.
STAFF_ROUTE_PREFIXES: tuple[str, ...] = ("admin:", "dashboard:", "api:admin_")

# Routes the payment provider calls (signature-checked) whose answer is a fixed
# acknowledgement: they load orders to settle them, and send none back.
PROVIDER_ROUTE_PREFIXES: tuple[str, ...] = ("webhooks:",)

GUARD_EVENT = "ownership_guard_tripped"

OwnerKey = tuple[str, Any]  # ("user", 12) | ("guest", "token") | ("nobody", None)
UNKNOWN_OWNER: OwnerKey = ("unknown", None)


@dataclass
class Ledger:
    entries: list[tuple[str, Any, OwnerKey]] = field(default_factory=list)
    # Guest tokens this request's session held and gave up (the sign-in merge).
    retired_guest_tokens: set[str] = field(default_factory=set)


_ledger: ContextVar[Ledger | None] = ContextVar("bfm_ownership_ledger", default=None)


class OwnedModel(models.Model):
    """A model whose rows belong to one shopper. Subclasses implement `owner_from_fields`."""

    class Meta:
        abstract = True

    @classmethod
    def owner_from_fields(cls, values: dict[str, Any]) -> OwnerKey:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def owner_field_names(cls) -> tuple[str, ...]:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        ledger = _ledger.get()
        if ledger is not None:
            loaded = instance.__dict__
            names = cls.owner_field_names()
            if all(name in loaded for name in names):
                owner = cls.owner_from_fields({name: loaded[name] for name in names})
            else:  # the owner was deferred: fail closed
                owner = UNKNOWN_OWNER
            ledger.entries.append((cls._meta.label, instance.pk, owner))
        return instance


def user_owner(user_id: int | None) -> OwnerKey:
    return ("user", user_id) if user_id is not None else ("nobody", None)


def guest_owner(token: str | None) -> OwnerKey:
    return ("guest", token) if token else ("nobody", None)


# --- the request side


def _session_guest_token(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    return guest_token_get(session) if session is not None else None


def guest_token_get(session) -> str | None:
    token = session.get(GUEST_SESSION_KEY)
    return token if isinstance(token, str) and token else None


def guest_token_obtain(session) -> str:
    """This browser's guest token, made on first use (a new random token per session)."""
    token = guest_token_get(session)
    if token is None:
        token = secrets.token_urlsafe(32)
        session[GUEST_SESSION_KEY] = token
    return token


def guest_token_retire(session) -> str | None:
    """Takes the guest token out of the session (after its cart merged into the user's). The
    objects it owned may still be loaded by this request, and only by this one."""
    token = guest_token_get(session)
    session.pop(GUEST_SESSION_KEY, None)
    ledger = _ledger.get()
    if token and ledger is not None:
        ledger.retired_guest_tokens.add(token)
    return token


def _principal_of(request: HttpRequest):
    from shop.accounts.principal import ANONYMOUS

    return getattr(request, "principal", None) or ANONYMOUS


def allowed_owners(request: HttpRequest, ledger: Ledger) -> set[OwnerKey]:
    principal = _principal_of(request)
    allowed: set[OwnerKey] = set()
    if principal.user_id is not None:
        allowed.add(("user", principal.user_id))
    if principal.via != "token":
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            allowed.add(("user", user.pk))
        for token in {*ledger.retired_guest_tokens, _session_guest_token(request)}:
            if token:
                allowed.add(("guest", token))
    return allowed


def is_staff_route(request: HttpRequest) -> bool:
    route = getattr(request, "route_name", "") or ""
    return route.startswith(STAFF_ROUTE_PREFIXES) and _principal_of(request).kind == "staff"


def is_provider_route(request: HttpRequest) -> bool:
    return (getattr(request, "route_name", "") or "").startswith(PROVIDER_ROUTE_PREFIXES)


def violations(request: HttpRequest, ledger: Ledger) -> list[tuple[str, Any, OwnerKey]]:
    if not ledger.entries or is_staff_route(request) or is_provider_route(request):
        return []
    allowed = allowed_owners(request, ledger)
    return [entry for entry in ledger.entries if entry[2] not in allowed]


def record_trip(request: HttpRequest, found: list[tuple[str, Any, OwnerKey]]) -> None:
    """The security event (and an error log line) for a tripped guard: which objects, whose,
    on which route, for whom. Never the objects' contents."""
    from shop.monitoring.services import security_event_record

    detail = {
        "route": getattr(request, "route_name", "") or "",
        "method": request.method,
        "objects": [f"{label}:{pk}" for label, pk, _ in found[:20]],
        "owners": sorted(
            {f"{kind}:{'(guest)' if kind == 'guest' else value}" for _, _, (kind, value) in
             found[:20]}
        ),
    }
    logger.error("ownership guard tripped: response replaced by a 500", extra=detail)
    try:
        security_event_record(kind=GUARD_EVENT, request=request, details=detail)
    except Exception:  # the 500 must go out even if the event cannot be stored
        logger.exception("could not record the ownership guard event")


class OwnershipGuardMiddleware:
    """Checks every owned object loaded for this request against who is asking.

    Sits after the session, authentication and principal middleware, so that the principal is
    known, and inside CachePolicyMiddleware, so that the 500 it makes is `no-store`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ledger = Ledger()
        token = _ledger.set(ledger)
        try:
            response = self.get_response(request)
            found = violations(request, ledger)
        finally:
            _ledger.reset(token)
        if found:
            from shop.core.views import error_response

            record_trip(request, found)
            return error_response(request, 500)
        return response
