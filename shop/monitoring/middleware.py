"""MonitoringMiddleware: request metrics, and where the request comes from for records made
without the request at hand (context.py). Placed right inside RequestContextMiddleware, so it
sees the final status and the cache policy the policy middleware applied."""

from __future__ import annotations

import time
from functools import partial

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from . import context, metrics
from .client import client_ip

# Checkout outcomes by the API's status code, and by where the storefront sends the shopper
# after placing the order (shop/web/views/checkout.py).
CHECKOUT_ROUTES = {"api:checkout": "api", "web:checkout_place": "web"}
API_OUTCOMES = {201: "placed", 200: "placed", 402: "declined", 409: "conflict",
                422: "invalid", 400: "invalid", 401: "unauthenticated", 503: "unavailable"}
WEB_OUTCOMES = {"web:checkout_complete": "placed", "web:checkout_payment": "declined",
                "web:cart": "conflict", "web:checkout_shipping": "invalid"}


def checkout_outcome(interface: str, response: HttpResponse) -> str:
    status = response.status_code
    if interface == "api":
        return API_OUTCOMES.get(status, "error" if status >= 500 else "other")
    if status >= 500:
        return "error"
    location = response.get("Location", "")
    if status in (301, 302, 303) and location.startswith("/"):
        try:
            return WEB_OUTCOMES.get(resolve(location.split("?")[0]).view_name, "other")
        except Resolver404:
            return "other"
    return "other"


class MonitoringMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        token = context.begin(ip=client_ip(request), path=request.path)
        where = context.current()
        try:
            response = self.get_response(request)
        finally:
            context.end(token)
        if where.deferred:  # type: ignore[union-attr]
            # After the body has gone out: the WSGI server (and Django's test client) calls
            # response.close(), which runs these closers first.
            response._resource_closers.append(partial(context.run_deferred, where.deferred))  # type: ignore[union-attr]
        route = getattr(request, "route_name", "") or ""
        metrics.request_observe(
            route=route,
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
            cache_policy=getattr(response, "cache_policy_name", ""),
        )
        interface = CHECKOUT_ROUTES.get(route)
        if interface and request.method == "POST":
            metrics.CHECKOUTS.labels(
                interface=interface, outcome=checkout_outcome(interface, response)
            ).inc()
        return response
