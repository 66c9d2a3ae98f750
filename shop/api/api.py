"""The JSON API, version 1 (SPEC §4). Routers per area; errors in errors.py."""

from ninja import NinjaAPI

from . import catalog, errors
from .renderers import OrjsonRenderer

api = NinjaAPI(
    title="Buy_From_Me API",
    version="1",
    description="Public catalog, accounts, cart, checkout and orders. Errors are "
    '`{"error": {"code", "message", "request_id"}}`.',
    urls_namespace="api",
    renderer=OrjsonRenderer(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", catalog.router)
