"""The security headers of every response, built once from the settings and set in one pass.

One middleware instead of three (Django's SecurityMiddleware, django-csp's middleware with the
policy built once, Django's XFrameOptionsMiddleware), reading the same settings and sending the
same headers:

- HTTPS redirect: SECURE_SSL_REDIRECT, SECURE_SSL_HOST, SECURE_REDIRECT_EXEMPT, as Django does
  (the 301 carries the headers SecurityMiddleware gave it, and nothing more);
- Strict-Transport-Security (SECURE_HSTS_*), over TLS only;
- X-Content-Type-Options (SECURE_CONTENT_TYPE_NOSNIFF), Referrer-Policy
  (SECURE_REFERRER_POLICY), Cross-Origin-Opener-Policy (SECURE_CROSS_ORIGIN_OPENER_POLICY);
- X-Frame-Options (X_FRAME_OPTIONS), except on a response marked `xframe_options_exempt`;
- Content-Security-Policy (and -Report-Only) from settings.CONTENT_SECURITY_POLICY. A response
  with a per-view change (@csp_update, @csp_replace, @csp_exempt, ...), a request that used a
  nonce, DEBUG, or a policy with EXCLUDE_URL_PREFIXES go through django-csp unchanged.

A header the view (or a middleware inside this one) already set is never replaced. The header
values are computed once and again only when a setting they come from changes (the tests'
override_settings); each response gets them as ready-made entries, without the per-header
validation Django would repeat on every response (they were validated when built).

X-Frame-Options is set here, outside the cache-policy and error-shaping middleware, so the
responses those make (a 304, an API-shaped 405, the error page of an empty error, the slash
redirect) carry it too; before, only responses made below Django's clickjacking middleware did.

Django's deploy checks of these settings look for SecurityMiddleware and XFrameOptionsMiddleware
in MIDDLEWARE and pass silently without them: check_security_headers() below runs the same
checks, under Django's ids, when this middleware is installed (config/settings/base.py silences
only W001 and W002, the "class not in MIDDLEWARE" warnings).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core import checks
from django.core.checks.security import base as django_checks
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect
from django.http.response import ResponseHeaders

MIDDLEWARE = "shop.core.security_headers.SecurityHeadersMiddleware"
DJANGO_SECURITY = "django.middleware.security.SecurityMiddleware"
DJANGO_XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"

# A header as ResponseHeaders stores it: (lower-case name, (name, value)).
Stored = tuple[str, tuple[str, str]]

_CSP_PER_RESPONSE = frozenset({
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
})
_SETTINGS = frozenset({
    "DEBUG", "X_FRAME_OPTIONS", "CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_SSL_REDIRECT", "SECURE_SSL_HOST", "SECURE_REDIRECT_EXEMPT",
})


def _stored(*headers: tuple[str, str]) -> tuple[Stored, ...]:
    """The headers with a value, validated and encoded the way response[name] = value does."""
    built = ResponseHeaders({})
    for name, value in headers:
        if value:
            built[name] = value
    return tuple(built._store.items())


def _referrer_policy() -> str:
    value = settings.SECURE_REFERRER_POLICY
    if not value:
        return ""
    parts = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
    return ",".join(parts)


def _hsts() -> str:
    if not settings.SECURE_HSTS_SECONDS:
        return ""
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


@dataclass(frozen=True)
class HeaderSet:
    security: tuple[Stored, ...]  # SecurityMiddleware's, on every response (its redirect too)
    hsts: tuple[Stored, ...]  # over TLS only
    frame: tuple[Stored, ...]
    csp: tuple[Stored, ...] | None  # None: django-csp decides per response
    redirect: bool
    redirect_host: str | None
    redirect_exempt: tuple[re.Pattern[str], ...]
    # (secure, static CSP, frame) -> the headers to set, concatenated once
    combined: dict[tuple[bool, bool, bool], tuple[Stored, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for secure, csp, frame in itertools.product((False, True), repeat=3):
            # in the order the three middlewares set them: X-Frame-Options, CSP, the rest
            self.combined[secure, csp, frame] = (
                *(self.frame if frame else ()),
                *((self.csp or ()) if csp else ()),
                *(self.hsts if secure else ()),
                *self.security,
            )


@functools.lru_cache(maxsize=1)
def header_set() -> HeaderSet:
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}
    per_response = bool(
        settings.DEBUG
        or policy.get("EXCLUDE_URL_PREFIXES")
        or report_only.get("EXCLUDE_URL_PREFIXES")
    )
    return HeaderSet(
        security=_stored(
            ("X-Content-Type-Options", "nosniff" if settings.SECURE_CONTENT_TYPE_NOSNIFF else ""),
            ("Referrer-Policy", _referrer_policy()),
            ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY or ""),
        ),
        hsts=_stored(("Strict-Transport-Security", _hsts())),
        frame=_stored(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper())),
        csp=None if per_response else _stored(
            ("Content-Security-Policy", build_policy()),
            ("Content-Security-Policy-Report-Only", build_policy(report_only=True)),
        ),
        redirect=bool(settings.SECURE_SSL_REDIRECT),
        redirect_host=settings.SECURE_SSL_HOST,
        redirect_exempt=tuple(re.compile(r) for r in settings.SECURE_REDIRECT_EXEMPT),
    )


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS:
        header_set.cache_clear()


def _set_missing(response: HttpResponseBase, headers: Iterable[Stored]) -> None:
    store = response.headers._store
    for key, entry in headers:
        if key not in store:
            store[key] = entry


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.csp = CSPMiddleware(get_response)  # per-view policies, nonces, DEBUG
        # Reading request.csp_nonce once the header is written raises, as with django-csp.
        self.nonce_spent = CheckableLazyObject(self.csp._csp_nonce_post_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        headers = header_set()
        secure = None
        if headers.redirect:
            secure = request.is_secure()
            if not secure and not any(
                pattern.search(request.path.lstrip("/")) for pattern in headers.redirect_exempt
            ):
                return self.https_redirect(request, headers)
        self.csp.process_request(request)
        response = self.get_response(request)
        if headers.hsts and secure is None:
            secure = request.is_secure()
        static_csp = (
            headers.csp is not None
            and getattr(request, "_csp_nonce", None) is None
            and _CSP_PER_RESPONSE.isdisjoint(vars(response))
        )
        if static_csp:
            request.csp_nonce = self.nonce_spent  # type: ignore[attr-defined]
        else:
            response = self.csp.process_response(request, response)
        frame = not getattr(response, "xframe_options_exempt", False)
        _set_missing(response, headers.combined[bool(secure), static_csp, frame])
        return response

    @staticmethod
    def https_redirect(request: HttpRequest, headers: HeaderSet) -> HttpResponseBase:
        host = headers.redirect_host or request.get_host()
        response = HttpResponsePermanentRedirect(f"https://{host}{request.get_full_path()}")
        _set_missing(response, headers.security)
        return response


# --- Deploy checks (manage.py check --deploy)


@checks.register(checks.Tags.security, deploy=True)
def check_security_headers(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django's SecurityMiddleware and clickjacking deploy checks, for this middleware."""
    middleware = settings.MIDDLEWARE
    if MIDDLEWARE not in middleware:
        return [
            checks.Warning(f"Neither {MIDDLEWARE} nor {name} is in MIDDLEWARE: responses go "
                           "without these security headers.", id=check_id)
            for name, check_id in ((DJANGO_SECURITY, "shop.W001"), (DJANGO_XFRAME, "shop.W002"))
            if name not in middleware
        ]
    found: list[checks.CheckMessage] = []
    if not settings.SECURE_HSTS_SECONDS:
        found.append(django_checks.W004)
    else:
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is not True:
            found.append(django_checks.W005)
        if settings.SECURE_HSTS_PRELOAD is not True:
            found.append(django_checks.W021)
    if settings.SECURE_CONTENT_TYPE_NOSNIFF is not True:
        found.append(django_checks.W006)
    if settings.SECURE_SSL_REDIRECT is not True:
        found.append(django_checks.W008)
    if settings.X_FRAME_OPTIONS != "DENY":
        found.append(django_checks.W019)
    return found + _policy_checks()


def _policy_checks() -> list[checks.CheckMessage]:
    policy = settings.SECURE_REFERRER_POLICY
    if policy is None:
        return [django_checks.W022]
    values = (
        {v.strip() for v in policy.split(",")} if isinstance(policy, str) else set(policy)
    )
    found: list[checks.CheckMessage] = []
    if not values <= django_checks.REFERRER_POLICY_VALUES:
        found.append(django_checks.E023)
    opener = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    if opener is not None and opener not in django_checks.CROSS_ORIGIN_OPENER_POLICY_VALUES:
        found.append(django_checks.E024)
    return found
