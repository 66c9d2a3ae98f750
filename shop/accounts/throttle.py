"""Throttling of the account endpoints.

1. Attempt caps per client address and per account, counted in the database
   (shop/core/counters.py: one row per subject and fixed window, incremented with a
   conditional UPDATE) before any password is checked. Every worker on every machine adds to
   the same count, so the caps (settings.ACCOUNTS_THROTTLE_RATES) hold under a parallel burst
   spread over processes, and whether or not Redis answers. The account's sign-in cap slows
   guessing from many addresses without locking the owner out: attempts from an address the
   account signed in from in the last 30 days or so are not held back by it (OWASP's
   "known device" idea, by address: a sign-out's Clear-Site-Data would wipe a device cookie).
2. django-axes counts *failed sign-ins* in the database and locks out the pair of an account
   and a client address (AXES_FAILURE_LIMIT failures, AXES_COOLOFF_TIME): an attacker at one
   address stops guessing that account, and the account's owner elsewhere is not kept out.
   It sits in AUTHENTICATION_BACKENDS, so every authenticate() call is covered, the admin's
   included; its records can be cleared in the admin and with `manage.py axes_reset`.

Both answer 429 with Retry-After. The client address is shop.monitoring.client.client_ip
(REMOTE_ADDR unless TRUSTED_PROXY says otherwise).
"""

import hashlib
import ipaddress
import re
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from shop.core import cache_keys
from shop.core.counters import counter_hit, counter_peek, counters_reset
from shop.core.views import error_response
from shop.monitoring.client import client_ip
from shop.monitoring.models import SecurityEventKind
from shop.monitoring.services import security_event_record

from .errors import Throttled

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_parse(rate: str) -> tuple[int, int]:
    """"10/15m" -> (10 attempts, 900 seconds)."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"not a rate: {rate!r}")
    limit, multiple, unit = match.groups()
    return int(limit), int(multiple or 1) * _UNITS[unit]


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


def _subject_value(request: HttpRequest, kind: str, account: str) -> str:
    if kind == "account":
        return email_normalize(account)
    return throttle_address(request) or "unknown"


def throttle_check(*, request: HttpRequest, scope: str, account: str = "") -> None:
    """Count one attempt for `scope` by this client (and account, when given); raise Throttled
    when any of the scope's limits is exceeded. Every attempt counts, allowed or not."""
    rates: dict[str, str] = settings.ACCOUNTS_THROTTLE_RATES.get(scope, {})
    retry_after = 0
    first_refusal = False
    for kind, rate in rates.items():
        if kind == "account" and not account:
            continue
        limit, window = rate_parse(rate)
        subject = cache_keys.throttle_subject(
            scope=scope, kind=kind, value=_subject_value(request, kind, account)
        )
        hit = counter_hit(key=cache_keys.throttle_counter(subject=subject), window=window)
        if hit.count > limit:
            retry_after = max(retry_after, hit.retry_after())
            first_refusal = first_refusal or hit.count == limit + 1
    if retry_after:
        if first_refusal:  # one event per subject and window, not one per refused request
            security_event_record(
                kind=SecurityEventKind.THROTTLED,
                request=request,
                details={"scope": scope},
            )
        raise Throttled(retry_after=retry_after)


KNOWN_ADDRESS_WINDOW = 30 * 24 * 3600  # remembered for one to two such windows


def address_known_for(*, request: HttpRequest, account: str) -> bool:
    """Whether this client's address signed in to `account` successfully lately."""
    key = cache_keys.known_address(account=email_normalize(account),
                                   address=throttle_address(request) or "unknown")
    now = time.time()
    return bool(
        counter_peek(key=key, window=KNOWN_ADDRESS_WINDOW, now=now)
        or counter_peek(key=key, window=KNOWN_ADDRESS_WINDOW, now=now - KNOWN_ADDRESS_WINDOW)
    )


def address_remember_for(*, request: HttpRequest, account: str) -> None:
    """A successful sign-in: this address is known for the account from now on."""
    counter_hit(key=cache_keys.known_address(account=email_normalize(account),
                                             address=throttle_address(request) or "unknown"),
                window=KNOWN_ADDRESS_WINDOW)


def throttle_reset(*, scope: str, kind: str, value: str) -> None:
    """Forget a subject's attempts (a completed password reset lifts the account's sign-in
    cap)."""
    rate = settings.ACCOUNTS_THROTTLE_RATES.get(scope, {}).get(kind)
    if not rate:
        return
    _, window = rate_parse(rate)
    subject = cache_keys.throttle_subject(scope=scope, kind=kind, value=value)
    counters_reset(key=cache_keys.throttle_counter(subject=subject), window=window)


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
