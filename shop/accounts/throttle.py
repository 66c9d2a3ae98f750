"""Throttling of the account endpoints: two well-kept libraries, two jobs.

1. django-ratelimit counts *attempts* per client address and per account in the Django cache
   (local memory or Redis) with an atomic add/incr, before any password is checked. Its caps
   (settings.ACCOUNTS_THROTTLE_RATES) hold under any concurrency: a parallel burst of 50
   sign-ins for one account checks at most `signin.account` passwords.
2. django-axes counts *failed sign-ins* in the database and locks the account and the client
   address out (AXES_FAILURE_LIMIT failures, AXES_COOLOFF_TIME). It sits in
   AUTHENTICATION_BACKENDS, so every authenticate() call is covered, the admin's included;
   its records are visible (and can be cleared) in the admin and with `manage.py axes_reset`.

Both answer 429 with Retry-After. The client address is shop.monitoring.client.client_ip
(REMOTE_ADDR unless TRUSTED_PROXY says otherwise).
"""

import hashlib
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage

from shop.core import cache_keys
from shop.core.views import error_response
from shop.monitoring.client import client_ip
from shop.monitoring.models import SecurityEventKind
from shop.monitoring.services import security_event_record

from .errors import Throttled


def email_normalize(email: str) -> str:
    return (email or "").strip().lower()[:254]


def email_fingerprint(email: str) -> str:
    """A short, stable stand-in for an email address in security events."""
    return hashlib.sha256(email_normalize(email).encode("utf-8")).hexdigest()[:16]


def throttle_address(request: HttpRequest) -> str:
    """The client address as throttles and lockouts count it: an IPv4 address, or the /64 an
    IPv6 address belongs to (one subscriber usually holds a whole /64 and could rotate
    through it)."""
    address = client_ip(request)
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def throttle_check(*, request: HttpRequest, scope: str, account: str = "") -> None:
    """Count one attempt for `scope` by this client (and account, when given); raise Throttled
    when any of the scope's limits is exceeded. Every attempt counts, allowed or not."""
    rates: dict[str, str] = settings.ACCOUNTS_THROTTLE_RATES.get(scope, {})
    retry_after = 0
    first_refusal = False
    for kind, rate in rates.items():
        if kind == "account":
            if not account:
                continue
            value = email_normalize(account)
        else:
            value = throttle_address(request) or "unknown"
        subject = cache_keys.throttle_subject(scope=scope, kind=kind, value=value)
        usage = get_usage(
            request,
            group=f"accounts.{scope}.{kind}",
            key=lambda group, request, subject=subject: subject,
            rate=rate,
            increment=True,
        )
        if usage and usage["should_limit"]:
            retry_after = max(retry_after, usage["time_left"] if usage["time_left"] > 0 else 60)
            first_refusal = first_refusal or usage["count"] == usage["limit"] + 1
    if retry_after:
        if first_refusal:  # one event per subject and window, not one per refused request
            security_event_record(
                kind=SecurityEventKind.THROTTLED,
                request=request,
                details={"scope": scope},
            )
        raise Throttled(retry_after=retry_after)


def lockout_retry_after() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return int(cool_off.total_seconds()) if cool_off else 3600


def throttled_response(request: HttpRequest, error: Throttled) -> HttpResponse:
    """The generic 429 (JSON under /api/, a page elsewhere) with Retry-After."""
    response = error_response(request, 429, error.message)
    response["Retry-After"] = str(error.retry_after)
    return response


# --- django-axes hooks (settings.AXES_*)


def axes_username(request: HttpRequest, credentials: dict | None) -> str:  # type: ignore[type-arg]
    """The account axes counts failures for: the normalized email address."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or (credentials or {}).get("username")
    if value is None:
        value = request.POST.get(field, "")
    return email_normalize(str(value))


def axes_lockout_response(request: HttpRequest, original_response=None, credentials=None):  # type: ignore[no-untyped-def]
    """AxesMiddleware calls this for a locked-out attempt. Our own sign-in views already answer
    429; anything else that authenticates (the admin's login form) gets the generic 429."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    return throttled_response(request, Throttled(retry_after=lockout_retry_after()))
