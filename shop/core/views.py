"""Generic error responses for every interface: a short message and the request id, nothing else.

They never render a trace, SQL, a path or a setting, and they never touch the database (the
500 page must work when the database is the thing that failed).
"""

from django.http import HttpRequest, HttpResponse
from django.template import loader

from . import json
from .errors import generic
from .request_context import current_request_id


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_response(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse:
    code, default_message = generic(status)
    request_id = getattr(request, "request_id", "") or current_request_id()
    if wants_json(request):
        body = {"error": {"code": code, "message": message or default_message,
                          "request_id": request_id}}
        return HttpResponse(json.dumps(body), status=status, content_type="application/json")
    html = loader.render_to_string(
        "errors/error.html",
        {"status": status, "message": message or default_message, "request_id": request_id},
    )
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)


def csrf_failure(request, reason=""):
    return error_response(request, 403, "Your session form expired. Reload the page and retry.")
