"""The Prometheus scrape endpoint. Not for the public:

- with SHOP_METRICS_TOKEN set, only `Authorization: Bearer <that token>` (compared in
  constant time);
- without it, only a client on the loopback interface that did not come through a proxy (no
  X-Forwarded-For, X-Real-IP or Forwarded header: nginx on the same machine adds one, so a
  visitor proxied from outside is refused).

Anyone else gets the generic 404, as for a page that does not exist. Private, no-store.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shop.core.views import csrf_failure as generic_csrf_failure
from shop.core.views import error_response

from . import metrics
from .client import client_ip
from .context import defer
from .probes import probe_record

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def scrape_allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "SHOP_METRICS_TOKEN", "")
    if token:
        scheme, _, presented = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), token.encode()
        )
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: the generic 403 (shop/core/views.py), and a `probe` security
    event (bounded per address): a forged cross-site form post, or a scanner."""
    defer(lambda: probe_record(request=request, kind="csrf_failed"))
    return generic_csrf_failure(request, reason=reason)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not scrape_allowed(request):
        return error_response(request, 404)
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)
