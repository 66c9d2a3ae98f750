"""Probe traffic: requests that only a scanner or an attacker sends (SQL injection and XSS
payloads, forced browsing for files a PHP or dotfile site would have, cache-deception suffixes
on private pages, failed CSRF checks, malformed order numbers). The shop answers them like
any other bad request (404, 403, or the page without effect); this module records them as
`probe` security events, so that a scan shows up on the security page and raises an alert.

Bounded per address: at most PROBE_EVENTS_STORED events of one kind per address and
PROBE_WINDOW (shop/core/counters.py counts the rest), so a scan of 100,000 requests writes a
few rows, not 100,000; every probe still counts towards the `probe_burst` alert rule.

Classifying is a few regular expressions over the path and the query string, after the
response is made; recording happens after it has been sent (shop/monitoring/context.py).
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse

from shop.core import cache_keys
from shop.core.counters import counter_hit

from . import alerts
from .client import client_ip
from .models import SecurityEventKind
from .services import security_event_record

PROBE_WINDOW = 600  # seconds
PROBE_EVENTS_STORED = 10  # per kind and address and window; the rest are only counted

SQL_INJECTION = re.compile(
    r"('|\")\s*(or|and)\s+('?\w+'?\s*=\s*'?\w+|\d+\s*[<>=])"
    r"|\bunion\b[\s/*]+(all[\s/*]+)?select\b|;\s*(drop|delete|insert|update)\s"
    r"|\b(sleep|pg_sleep|benchmark)\s*\(|\bwaitfor\s+delay\b|'\s*--|\bor\s+1\s*=\s*1\b"
    r"|\binformation_schema\b|\bxp_cmdshell\b",
    re.IGNORECASE,
)
XSS = re.compile(
    r"<\s*(script|svg|img|iframe|body|object|embed)\b|javascript\s*:|\bon(error|load|"
    r"mouseover|focus|click)\s*=|document\.cookie|alert\s*\(|String\.fromCharCode",
    re.IGNORECASE,
)
# What scanners look for on every site: configuration, version control, other platforms.
FORCED_BROWSING = re.compile(
    r"(^|/)(\.env|\.git|\.svn|\.hg|\.htaccess|\.htpasswd|\.DS_Store|\.aws|\.ssh|"
    r"wp-admin|wp-login\.php|wp-content|wp-includes|xmlrpc\.php|phpmyadmin|pma|"
    r"server-status|web\.config|config\.php|composer\.json|package\.json|backup|"
    r"\.bak|\.sql|\.swp|~)(/|$|\.)|\.(php|asp|aspx|jsp|cgi|bak|sql|swp|old|orig)$"
    r"|(^|/)(etc/passwd|proc/self|win\.ini|boot\.ini)",
    re.IGNORECASE,
)
TRAVERSAL = re.compile(r"\.\./|\.\.\\|%2e%2e|\.\.%2f|%252e", re.IGNORECASE)
STATIC_SUFFIX = re.compile(r"[./;](css|js|png|jpe?g|gif|ico|svg|webp|woff2?|txt|json)$",
                           re.IGNORECASE)
PUBLIC_FILES = ("/static/", "/media/", "/favicon.ico", "/robots.txt")
ORDER_PATH = re.compile(
    r"^/(?:account/orders|checkout/complete|api/v1/(?:admin/|guest/)?orders)/([^/]+)/?$"
)
# The order-number format (shop/orders/numbers.py; monitoring sits below orders, so the
# pattern is written here again): anything else on an order route is not a mistyped number.
ORDER_NUMBER = re.compile(r"^BFM-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$")


def probe_kind(request: HttpRequest, response: HttpResponse) -> str | None:
    """The kind of probe this request was, or None for ordinary traffic."""
    raw_path = request.META.get("PATH_INFO", "") or request.path
    raw_query = request.META.get("QUERY_STRING", "")
    not_found = response.status_code == 404
    if len(raw_path) + len(raw_query) > _REMEMBERED_LENGTH:  # bounded memory
        return _kind.__wrapped__(raw_path, raw_query, not_found)
    return _kind(raw_path, raw_query, not_found)


# The kind depends on the path, the query string and whether the answer was a 404, nothing
# else: remembered for the most recent ones (the same few paths make most of the traffic).
_REMEMBERED_LENGTH = 200


@functools.lru_cache(maxsize=2048)
def _kind(raw_path: str, raw_query: str, not_found: bool) -> str | None:
    path = unquote_plus(raw_path)
    query = unquote_plus(raw_query)
    text = f"{path}?{query}"
    if SQL_INJECTION.search(text):
        return "sql_injection"
    if XSS.search(text):
        return "xss"
    if TRAVERSAL.search(raw_path) or TRAVERSAL.search(query):
        return "path_traversal"
    if not not_found:
        return None
    if FORCED_BROWSING.search(path):
        return "forced_browsing"
    if STATIC_SUFFIX.search(path) and not path.startswith(PUBLIC_FILES):
        return "cache_deception"
    if (match := ORDER_PATH.match(path)) and not ORDER_NUMBER.match(match.group(1)):
        return "malformed_order_number"
    return None


def probe_record(*, request: HttpRequest, kind: str) -> None:
    """Record one probe: a `probe` security event while this address has stored fewer than
    PROBE_EVENTS_STORED of this kind in the window, else only the alert rule's count."""
    ip = client_ip(request) or "unknown"
    hit = counter_hit(key=cache_keys.probe_counter(kind=kind, ip=ip), window=PROBE_WINDOW)
    if hit.count <= PROBE_EVENTS_STORED:
        details = {"probe": kind, "method": request.method or ""}
        if hit.count == PROBE_EVENTS_STORED:
            details["further"] = "counted, not stored, until the window ends"
        security_event_record(kind=SecurityEventKind.PROBE, request=request, details=details)
    else:
        principal = getattr(request, "principal", None)
        alerts.observe(kind=SecurityEventKind.PROBE,
                       user_id=principal.user_id if principal is not None else None,
                       ip=client_ip(request) or None)
