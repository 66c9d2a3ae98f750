"""Privacy rights over the API (docs/contract.md §4): `GET /me/export` here; `DELETE /me` sits with
`GET /me` in accounts.py (one URL, one router) and calls `me_erase` below.

Both are private, no-store (shop/policy/cache.py) and need the bearer principal. The export
asks for nothing more than the access token: the token was issued for the password less than
JWT_ACCESS_TOKEN_LIFETIME ago (or rotated from a refresh token that was), it dies with a
password change, a sign-out or an erasure, and it already reads the same orders and addresses
one by one. The storefront, whose sessions last two weeks on possibly shared computers, asks
for the password again instead (docs/privacy.md). The erasure asks for the password here too.
"""

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Status

from shop.privacy import export, services

from .auth import bearer
from .schemas.privacy import PasswordConfirmIn

router = Router(tags=["privacy"], auth=bearer)

EXPORT_OPENAPI = {
    "responses": {
        200: {
            "description": "Everything the shop holds about the caller (streamed JSON file).",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
}


@router.get("/me/export", url_name="me_export", openapi_extra=EXPORT_OPENAPI)
def me_export(request: HttpRequest):
    """Everything the shop holds about the caller, as one JSON document: profile, addresses,
    cart, orders with lines and payments, consents, sign-ins, security and audit events.
    Recorded in the audit log. `Cache-Control: private, no-store`."""
    chunks = export.account_export_begin(request=request, user=request.auth.user, via="api")
    response = StreamingHttpResponse(chunks, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{export.export_filename()}"'
    response["Cache-Control"] = "private, no-store"
    return response


def me_erase(request: HttpRequest, payload: PasswordConfirmIn):
    """Erase the caller's account (password required): 204; sessions and tokens end at once,
    profile, addresses and cart are deleted, orders are kept without the person."""
    services.account_erase(
        request=request, user=request.auth.user, password=payload.password, via="api"
    )
    return Status(204, None)
