"""API authentication: who is asking comes from request.principal, nothing else.

shop.accounts.middleware.PrincipalMiddleware has already verified the bearer token (or found
none, or refused one); this class only says whether the principal came by token. It subclasses
HttpBearer so that the OpenAPI schema shows bearer authentication, but it never reads the
header itself. A route without a principal answers 401 with `WWW-Authenticate: Bearer`
(shop/api/errors.py).

install() maps the accounts domain's errors that need more than the generic error shape:
429 with Retry-After, 401 with WWW-Authenticate.
"""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer

from shop.accounts.errors import InvalidCredentials, NotAuthenticated, Throttled
from shop.accounts.principal import Principal

from .errors import error_body

WWW_AUTHENTICATE = 'Bearer realm="api"'


class PrincipalBearer(HttpBearer):
    def __call__(self, request: HttpRequest) -> Principal | None:
        principal = getattr(request, "principal", None)
        if principal is not None and principal.is_authenticated and principal.via == "token":
            return principal
        return None

    def authenticate(self, request: HttpRequest, token: str) -> None:  # pragma: no cover
        return None  # never called: __call__ decides from the principal


bearer = PrincipalBearer()


def install(api: NinjaAPI) -> None:
    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        response = api.create_response(request, error_body(exc.code, exc.message), status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    def unauthorized(request, exc):
        response = api.create_response(request, error_body(exc.code, exc.message), status=401)
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
        return response

    api.add_exception_handler(InvalidCredentials, unauthorized)
    api.add_exception_handler(NotAuthenticated, unauthorized)
