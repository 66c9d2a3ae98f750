from django.http import HttpRequest, JsonResponse

from shop.core.health import health


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers, `make serve` and operators: 200 while the shop can serve
    ("ok", or "degraded" naming what is missing, e.g. Redis), 503 without its database."""
    report = health()
    return JsonResponse(report, status=503 if report["status"] == "down" else 200)
