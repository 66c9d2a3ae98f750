"""The one place where the API turns exceptions into the docs/contract.md §4 error shape.

`{"error": {"code", "message", "request_id"}}`; messages are ours, never an exception's text,
so no trace, SQL, path or internal name can leave through an error.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shop.core.errors import ShopError, generic
from shop.core.request_context import current_request_id

logger = logging.getLogger("shop.api")


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "request_id": current_request_id()}}


def _field_path(error: dict) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path")]
    return ".".join(location) or "request"


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        return api.create_response(request, error_body(code, message), status=status)

    @api.exception_handler(ShopError)
    def shop_error(request, exc: ShopError):
        return respond(request, exc.status, exc.code, exc.message)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = sorted({_field_path(error) for error in exc.errors})
        return respond(
            request, 422, "invalid_input", "Invalid or missing value for: " + ", ".join(fields)
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc: AuthenticationError):
        response = respond(request, 401, *generic(401))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return respond(request, exc.status_code, *generic(exc.status_code))

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return respond(request, 404, *generic(404))
