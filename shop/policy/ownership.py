"""The ownership guard: a user-owned object never leaves in a response to anyone but its owner.

access.py is the first line: every read of a cart or an order is a scoped query. This module is
the second, for the day a selector, a view or a template is wrong ("validate responses before
sending", docs/threats.md case 17): every owned object loaded while a request is served is
noted on that request's ledger (shop/core/ownership.py); before the response leaves,
OwnershipGuardMiddleware compares each noted owner with who is asking. One mismatch and the
whole response is replaced by the generic 500, and the security event
`ownership_guard_tripped` is recorded.

Who may receive an owned object:
- its user, when the request's principal is that user. On session requests Django's
  `request.user` also counts, so that the sign-in request itself (which loads the shopper's cart
  while merging the guest cart) is covered; on bearer-token requests only the token's user does;
- a guest cart, only the browser whose session holds that cart's guest token (or gave it up
  during this very request, when the guest cart merged into the shopper's at sign-in);
- a guest order (an order without a user), only the request that presented its order token
  (shop/policy/access.py `access_guest_order` grants it on the ledger);
- staff, only on staff routes (shop/staff/permissions.py `GUARDED_STAFF_ROUTE_PREFIXES`: the
  Django admin, the dashboard and the staff API), which do their own permission checks and
  auditing;
- nobody, on the payment provider's webhook routes (PROVIDER_ROUTE_PREFIXES): they settle
  orders for the provider, authenticated by its signature, and answer a fixed
  acknowledgement that carries no object.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

from shop.accounts.principal import ANONYMOUS, Principal
from shop.core.ownership import Ledger, LedgerEntry, OwnerKey, guest_token_get, ledger_open
from shop.core.views import error_response
from shop.monitoring.services import security_event_record
from shop.staff.permissions import GUARDED_STAFF_ROUTE_PREFIXES

logger = logging.getLogger("shop.policy.ownership")

# Routes the payment provider calls (signature-checked) whose answer is a fixed
# acknowledgement: they load orders to settle them, and send none back.
PROVIDER_ROUTE_PREFIXES: tuple[str, ...] = ("webhooks:",)

GUARD_EVENT = "ownership_guard_tripped"


def _session_guest_token(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    return guest_token_get(session) if session is not None else None


def _principal_of(request: HttpRequest) -> Principal:
    return getattr(request, "principal", None) or ANONYMOUS


def allowed_owners(request: HttpRequest, ledger: Ledger) -> set[OwnerKey]:
    principal = _principal_of(request)
    allowed: set[OwnerKey] = set(ledger.granted)
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
    return route.startswith(GUARDED_STAFF_ROUTE_PREFIXES) and _principal_of(request).kind == "staff"


def is_provider_route(request: HttpRequest) -> bool:
    return (getattr(request, "route_name", "") or "").startswith(PROVIDER_ROUTE_PREFIXES)


def violations(request: HttpRequest, ledger: Ledger) -> list[LedgerEntry]:
    if not ledger.entries or is_staff_route(request) or is_provider_route(request):
        return []
    allowed = allowed_owners(request, ledger)
    return [entry for entry in ledger.entries if entry[2] not in allowed]


def record_trip(request: HttpRequest, found: list[LedgerEntry]) -> None:
    """The security event (and an error log line) for a tripped guard: which objects, whose,
    on which route, for whom. Never the objects' contents."""
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

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with ledger_open() as ledger:
            response = self.get_response(request)
            found = violations(request, ledger)
        if found:
            record_trip(request, found)
            return error_response(request, 500)
        return response  # type: ignore[no-any-return]
