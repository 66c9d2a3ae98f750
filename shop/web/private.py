"""Private state for cached pages, without a request per page view (docs/architecture.md,
"Private sections").

Public pages are cached and the same bytes for everyone, so who is signed in and what is in
the cart reach the header another way, as Magento 2's private content does:

- a *version cookie* (settings.SHOP_PRIVATE_VERSION_COOKIE), readable by scripts, that holds
  a random version and nothing else (no name, no e-mail, no id). It exists while the visitor
  has private state (signed in, or a guest cart) and changes whenever that state may have
  changed: every successful POST to a storefront route (sign-in, sign-out, cart lines,
  checkout, profile), and whenever a signed-in visitor is seen without one. It is deleted
  when the session has nothing private left (sign-out, an expired or ended session);
- the *private sections* endpoint (web:private_sections, private and no-store): who is
  signed in, the cart count, and a CSRF token for the forms of cached pages;
- shop/web/static/shop/private.js: keeps the sections in sessionStorage with the version
  they were read at and fetches them only when the cookie's version differs. No cookie, no
  request: an anonymous page view never reaches the app.

Sign-out deletes the cookie and sends Clear-Site-Data, which wipes what the browser kept.
"""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from shop.core.http import GetResponse

from ..policy.cache import policy_for

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def new_version() -> str:
    """A fresh version: random, so that two tabs or two workers never reuse one."""
    return secrets.token_hex(6)


def set_version(response: HttpResponse, version: str | None = None) -> None:
    response.set_cookie(
        settings.SHOP_PRIVATE_VERSION_COOKIE,
        version or new_version(),
        max_age=settings.SESSION_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,  # the header's script reads it: a version, nothing personal
        samesite="Lax",
    )


def clear_version(response: HttpResponse) -> None:
    response.delete_cookie(settings.SHOP_PRIVATE_VERSION_COOKIE, samesite="Lax")


def has_private_state(request: HttpRequest) -> bool:
    """Signed in, or a session that holds something (a guest cart)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = getattr(request, "session", None)
    # is_empty() answers without the database when there is no session cookie; keys() loads
    # the session, so that an ended or expired one counts as empty
    return session is not None and not session.is_empty() and bool(session.keys())


def _is_storefront(route: str) -> bool:
    return route.startswith("web:") and route != "web:healthz" and not policy_for(route).public


class PrivateVersionMiddleware:
    """Keeps the version cookie in step with the session and the cart (module docstring).

    Runs inside the session and authentication middleware; only on private storefront
    routes (a public route sets no cookie and never gets here with one)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if not _is_storefront(getattr(request, "route_name", "") or ""):
            return response
        current = request.COOKIES.get(settings.SHOP_PRIVATE_VERSION_COOKIE)
        if not has_private_state(request):
            if current is not None:
                clear_version(response)
        elif current is None or (
            request.method not in _SAFE_METHODS and response.status_code < 400
        ):
            set_version(response)
        return response
