import logging
import time

from django.http import HttpRequest, HttpResponse

from . import request_context
from .errors import ShopError
from .views import error_page_for, error_response, wants_json

access_log = logging.getLogger("shop.access")


class RequestContextMiddleware:
    """Gives each request an id (X-Request-ID), and writes one JSON access line for it.

    The id is always made here: an id sent by the client is not trusted, so a client cannot
    forge log correlation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        context, token = request_context.begin(request_context.new_request_id())
        request.request_id = context.request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = context.request_id
            principal = getattr(request, "principal", None)
            if principal is not None and principal.is_authenticated:
                context.user_id = principal.user_id
            if access_log.isEnabledFor(logging.INFO):
                # access_log.info() without looking up the caller's file and line, which the
                # JSON line does not carry: same record, same handlers and filters.
                access_log.handle(access_log.makeRecord(
                    access_log.name, logging.INFO, "", 0, "request", (), None,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "route": getattr(request, "route_name", "") or "",
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "cache_policy": getattr(response, "cache_policy_name", ""),
                        "user_id": context.user_id,
                    },
                ))
            return response
        finally:
            request_context.end(token)

    def process_exception(self, request: HttpRequest, exception: Exception):
        """Domain errors raised by a storefront view become their generic page."""
        if isinstance(exception, ShopError):
            return error_response(request, exception.status, exception.message)
        return None


class HeadAsGetMiddleware:
    """HEAD is GET without the body (RFC 9110 §9.3.2), on every route: the view, the cache
    policy and the error pages see a GET, so the status and headers are those of the GET
    (Content-Length included), and the body is dropped on the way out. Without this, views
    that allow only GET (`require_GET`) and the API's routes (Django Ninja declares methods
    one by one) answered HEAD with 405 while other routes answered it.

    Outside it, the request is a HEAD again: the access line and the metrics say HEAD."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = request.META["REQUEST_METHOD"] = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = request.META["REQUEST_METHOD"] = "HEAD"
        if response.streaming:
            # a file's handle stays among the response's closers, closed by the server
            response.streaming_content = []
        else:
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class EmptyErrorPageMiddleware:
    """An error answered with no body at all (Django's 405 of `require_POST`, say) gets the
    shop's error page, with its Allow header, instead of the browser's own "HTTP ERROR 405".
    Errors with a body (a form's 400 for htmx, the throttled page) are left as they are; the
    API's errors get their JSON shape in shop/api/middleware.py."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and not response.streaming
            and not response.content
            and not wants_json(request)
        ):
            return error_page_for(request, response)
        return response
