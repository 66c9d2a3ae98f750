from django.http import HttpRequest, HttpResponse

from shop.core.views import error_response, wants_json


class ApiErrorShapeMiddleware:
    """Errors that Django or Ninja answer by themselves under /api/ (a wrong method's 405, say)
    get the docs/contract.md §4 error shape like every other API error, keeping their Allow
    header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and wants_json(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            shaped = error_response(request, response.status_code)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if response.has_header(header):
                    shaped[header] = response[header]
            return shaped
        return response
