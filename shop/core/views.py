"""Generic error responses for every interface: a short message and the request id, nothing else.

They never render a trace, SQL, a path or a setting, and they never touch the database (the
500 page must work when the database is the thing that failed).
"""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.html import escape

from . import json
from .errors import generic
from .request_context import current_request_id
from .site_links import site_links

logger = logging.getLogger("shop.errors")

PLAIN_ERROR = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>{status}</title>'
    '<main><h1>{message}</h1><p>Reference: <code>{request_id}</code></p>'
    '<p><a href="/">Back to the shop</a></p></main></html>'
)


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_response(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse:
    code, default_message = generic(status)
    request_id = getattr(request, "request_id", "") or current_request_id()
    if wants_json(request):
        body = {"error": {"code": code, "message": message or default_message,
                          "request_id": request_id}}
        return HttpResponse(json.dumps(body), status=status, content_type="application/json")
    context = {
        "status": status,
        "message": message or default_message,
        "request_id": request_id,
        # what shop.web.context_processors.shop gives every page: settings, nothing of the visitor
        "shop_name": settings.SHOP_NAME,
        "private_version_cookie": getattr(settings, "SHOP_PRIVATE_VERSION_COOKIE", ""),
    }
    try:
        context["site"] = site_links()
        # Rendered without the request: no context processor runs, so nothing of the visitor
        # (user, session, CSRF token) can reach the page.
        html: str = loader.render_to_string("errors/error.html", context)
    except Exception:  # the error page must never be the second error
        logger.exception("the error page could not be rendered")
        html = PLAIN_ERROR.format(status=status, message=escape(context["message"]),
                                  request_id=escape(request_id))
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)


def error_page_for(request: HttpRequest, bare: HttpResponse) -> HttpResponse:
    """The error page for an error answered without a body (the 405 of `require_POST` and the
    like), keeping the headers that tell the client what to do next."""
    response = error_response(request, bare.status_code)
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if bare.has_header(header):
            response[header] = bare[header]
    return response


def csrf_failure(request, reason=""):
    return error_response(request, 403, "Your session form expired. Reload the page and retry.")
