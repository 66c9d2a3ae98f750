"""The JSON API, version 1 (docs/contract.md §4). Routers per area; errors in errors.py."""

from csp.decorators import csp_update
from ninja import NinjaAPI

from . import (
    accounts,
    admin,
    admin_alerts,
    admin_catalog,
    admin_orders,
    auth,
    cart,
    catalog,
    errors,
    guest,
    orders,
    privacy,
)
from .renderers import OrjsonRenderer

api = NinjaAPI(
    title="Buy_From_Me API",
    version="1",
    description="Public catalog, accounts, cart, checkout and orders. Errors are "
    '`{"error": {"code", "message", "request_id"}}`.',
    urls_namespace="api",
    renderer=OrjsonRenderer(),
    docs_url="/docs",
    # Swagger UI sets inline styles; scripts stay 'self' only.
    docs_decorator=csp_update({"style-src": ["'unsafe-inline'"]}),
    openapi_url="/openapi.json",
)
errors.install(api)
auth.install(api)
api.add_router("", catalog.router)
api.add_router("", accounts.router)
api.add_router("", cart.router)
api.add_router("", orders.router)
api.add_router("", guest.router)  # guest checkout and guest orders (shop/api/guest.py)
api.add_router("", privacy.router)  # GET /me/export (DELETE /me: accounts.py)
api.add_router("", admin.router)  # staff API (shop/api/admin.py)
api.add_router("", admin_orders.router)  # staff order actions (shop/api/admin_orders.py)
api.add_router("", admin_alerts.router)  # staff API: security alerts
api.add_router("", admin_catalog.router)  # staff API: products (shop/api/admin_catalog.py)
