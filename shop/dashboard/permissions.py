"""Which staff permission each staff route needs: ONE map, keyed by URL name, for the
dashboard (dashboard:*) and the staff API (api:admin_*). An unlisted staff route needs
`staff.admin` (admins only): a route is never open to a role by accident.

The dashboard applies it to every route of its URL conf (`staff_urls`, after Oscar's
post_process_urls); the staff API's authentication (shop/api/admin.py) reads the same map by
the resolved URL name. tests/dashboard/test_permissions_map.py checks that every staff route
is guarded and that every entry names a route that exists.

Who is asking is request.principal, nothing else; permissions come from the database on every
request (shop/staff/roles.py).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse

from shop.accounts.principal import ANONYMOUS
from shop.core.views import error_response
from shop.monitoring.audit import actor_from_request
from shop.monitoring.models import SecurityEventKind
from shop.monitoring.services import security_event_record
from shop.staff.roles import Perm, principal_has

ADMIN_ONLY = Perm.ADMIN

PERMISSIONS: dict[str, str] = {
    # dashboard: every role
    "dashboard:index": Perm.VIEW_DASHBOARD,
    # orders: support reads, manager changes
    "dashboard:order_list": Perm.VIEW_ORDERS,
    "dashboard:order_detail": Perm.VIEW_ORDERS,
    "dashboard:order_fulfil": Perm.CHANGE_ORDER_STATUS,
    "dashboard:order_cancel": Perm.CHANGE_ORDER_STATUS,  # + refund_order for a paid order
    "dashboard:order_refund": Perm.REFUND_ORDER,
    "dashboard:order_export": Perm.EXPORT_ORDERS,
    # customers
    "dashboard:customer_list": Perm.VIEW_CUSTOMERS,
    "dashboard:customer_detail": Perm.VIEW_CUSTOMERS,
    # catalog and inventory: manager
    "dashboard:product_list": Perm.MANAGE_CATALOG,
    "dashboard:product_detail": Perm.MANAGE_CATALOG,
    "dashboard:variant_price": Perm.MANAGE_CATALOG,
    "dashboard:stock_adjust": Perm.ADJUST_STOCK,
    # security: admin
    "dashboard:security": Perm.VIEW_SECURITY,
    "dashboard:security_alerts": Perm.VIEW_SECURITY,
    "dashboard:security_events": Perm.VIEW_SECURITY,
    "dashboard:audit_log": Perm.VIEW_SECURITY,
    "dashboard:alert_ack": Perm.VIEW_SECURITY,
    # staff accounts: admin
    "dashboard:staff_list": Perm.MANAGE_STAFF,
    "dashboard:staff_role": Perm.MANAGE_STAFF,
    # the staff API (SPEC §4)
    "api:admin_order_list": Perm.VIEW_ORDERS,
    "api:admin_order_detail": Perm.VIEW_ORDERS,
    "api:admin_audit_events": Perm.VIEW_SECURITY,
    "api:admin_security_events": Perm.VIEW_SECURITY,
    "api:admin_order_fulfil": Perm.CHANGE_ORDER_STATUS,
    "api:admin_order_cancel": Perm.CHANGE_ORDER_STATUS,  # + refund_order for a paid order
    "api:admin_order_refund": Perm.REFUND_ORDER,
}

STAFF_ROUTE_PREFIXES = ("dashboard:", "api:admin_")


def permission_for(route_name: str) -> str:
    return PERMISSIONS.get(route_name, ADMIN_ONLY)


def is_staff_route(route_name: str) -> bool:
    return route_name.startswith(STAFF_ROUTE_PREFIXES)


def permission_denied_record(request: HttpRequest, *, route: str, permission: str) -> None:
    security_event_record(
        kind=SecurityEventKind.STAFF_PERMISSION_DENIED,
        request=request,
        details={"route": route, "permission": permission},
    )


def _sign_in_redirect(request: HttpRequest) -> HttpResponse:
    target = request.get_full_path() if request.method == "GET" else reverse("dashboard:index")
    return HttpResponseRedirect(f"{reverse('web:sign_in')}?{urlencode({'next': target})}")


def guard(view, *, route: str):
    """The view behind the permission `route` needs: anonymous visitors are sent to sign in,
    anyone without the permission gets the generic 403 (and a security event)."""
    permission = permission_for(route)

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        principal = getattr(request, "principal", None) or ANONYMOUS
        if not principal.is_authenticated:
            return _sign_in_redirect(request)
        if not principal_has(principal, permission):
            permission_denied_record(request, route=route, permission=permission)
            return error_response(request, 403)
        request.staff_actor = actor_from_request(request, via="dashboard")
        return view(request, *args, **kwargs)

    guarded.staff_permission = permission
    return guarded


def staff_urls(patterns: list, *, namespace: str) -> list:
    """Wraps every route of a staff URL conf in `guard`, with its permission from the map."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            staff_urls(pattern.url_patterns, namespace=namespace)
        elif isinstance(pattern, URLPattern):
            route = f"{namespace}:{pattern.name}"
            pattern.callback = guard(pattern.callback, route=route)
    return patterns
