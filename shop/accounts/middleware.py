"""One principal per request (shop/accounts/principal.py), set before any view runs.

- Under /api/ the only credential is `Authorization: Bearer <access token>`. The session cookie
  is ignored there (so the API needs no CSRF protection), and request.user is made to agree
  with the principal so that nothing can fall back to the session by accident.
- Everywhere else the only credential is the session (django.contrib.auth), and a bearer
  header is ignored.

A bearer token that is present but refused leaves the principal anonymous, with the reason in
`credential_error`, and records a security event (the reason, never the token). Public routes
reach this point with cookies and Authorization already stripped (shop/policy/middleware.py).
Placed after AuthenticationMiddleware.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

from shop.monitoring.models import SecurityEventKind
from shop.monitoring.services import security_event_record

from .principal import ANONYMOUS, Principal
from .tokens import TokenInvalid, access_token_authenticate

API_PREFIX = "/api/"


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer` header; "" for a bearer header without one;
    None when there is no bearer header at all."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return value.strip()  # type: ignore[no-any-return]


def principal_from_bearer(request: HttpRequest) -> Principal:
    token = bearer_token(request)
    if token is None:
        return ANONYMOUS
    try:
        user, claims = access_token_authenticate(token)
    except TokenInvalid as refused:
        security_event_record(
            kind=SecurityEventKind.TOKEN_INVALID,
            request=request,
            user_id=refused.user_id,
            details={"reason": refused.reason},
        )
        return Principal(user=None, credential_error=refused.reason)
    return Principal(
        user=user, via="token", token_id=claims.jti, token_expires_at=claims.expires_at,
        token_family=claims.family,
    )


def principal_from_session(request: HttpRequest) -> Principal:
    if _no_session_yet(request):
        return ANONYMOUS
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return Principal(user=user, via="session")


def _no_session_yet(request: HttpRequest) -> bool:
    """The request brought no session key and request.user is still the unread lazy user of
    AuthenticationMiddleware: nobody is signed in (only login() puts a user in a session, and
    no view has run yet), so the principal is anonymous without reading the session, which
    would cost a load and mark the session accessed (a `Vary: Cookie`) for nothing."""
    session = getattr(request, "session", None)
    user = request.__dict__.get("user")
    return (
        session is not None
        and session.session_key is None
        and isinstance(user, SimpleLazyObject)
        and user._wrapped is empty
    )


class PrincipalMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        if getattr(request, "route_name", None) == "":
            # A path the shop does not have (a typo, a probe, a cache-deception suffix): its 404
            # needs nobody, and neither the session nor a token is read, so such an answer never
            # refreshes or deletes a cookie that a careless cache could keep and hand around.
            request.principal = ANONYMOUS  # type: ignore[attr-defined]
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            request.principal = principal_from_bearer(request)  # type: ignore[attr-defined]
            request.user = request.principal.user or AnonymousUser()  # type: ignore[attr-defined]
        else:
            request.principal = principal_from_session(request)  # type: ignore[attr-defined]
        return self.get_response(request)
