"""Which staff permission each staff route needs: ONE map, keyed by URL name, for the
dashboard (dashboard:*) and the staff API (api:admin_*). An unlisted staff route needs
`staff.admin` (admins only): a route is never open to a role by accident.

The dashboard applies it to every route of its URL conf (shop/dashboard/guard.py
`staff_urls`, after Oscar's post_process_urls); the staff API's authentication
(shop/api/admin.py) reads the same map by the resolved URL name; the ownership guard
(shop/policy/ownership.py) lets staff receive other people's objects only on the routes of
GUARDED_STAFF_ROUTE_PREFIXES. tests/dashboard/test_permissions_map.py checks that every staff
route is guarded and that every entry names a route that exists.

Who is asking is request.principal, nothing else; permissions come from the database on every
request (shop/staff/roles.py).
"""

from __future__ import annotations

from .roles import Perm

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
    "dashboard:stock_set": Perm.ADJUST_STOCK,
    "dashboard:product_create": Perm.MANAGE_CATALOG,
    "dashboard:product_edit": Perm.MANAGE_CATALOG,
    "dashboard:product_image": Perm.MANAGE_CATALOG,
    # security: admin
    "dashboard:security": Perm.VIEW_SECURITY,
    "dashboard:security_alerts": Perm.VIEW_SECURITY,
    "dashboard:security_events": Perm.VIEW_SECURITY,
    "dashboard:audit_log": Perm.VIEW_SECURITY,
    "dashboard:alert_ack": Perm.VIEW_SECURITY,
    # staff accounts: admin
    "dashboard:staff_list": Perm.MANAGE_STAFF,
    "dashboard:staff_role": Perm.MANAGE_STAFF,
    # the staff API (docs/contract.md, staff API)
    "api:admin_order_list": Perm.VIEW_ORDERS,
    "api:admin_order_detail": Perm.VIEW_ORDERS,
    "api:admin_audit_events": Perm.VIEW_SECURITY,
    "api:admin_security_events": Perm.VIEW_SECURITY,
    "api:admin_order_fulfil": Perm.CHANGE_ORDER_STATUS,
    "api:admin_order_cancel": Perm.CHANGE_ORDER_STATUS,  # + refund_order for a paid order
    "api:admin_order_refund": Perm.REFUND_ORDER,
    "api:admin_alerts": Perm.VIEW_SECURITY,
    "api:admin_alert_acknowledge": Perm.VIEW_SECURITY,
    "api:admin_product_create": Perm.MANAGE_CATALOG,
    "api:admin_product_update": Perm.MANAGE_CATALOG,
    "api:admin_product_image": Perm.MANAGE_CATALOG,
}

# The routes this map guards: the dashboard and the staff API.
STAFF_ROUTE_PREFIXES: tuple[str, ...] = ("dashboard:", "api:admin_")
# Where staff may receive other people's objects: those, and Django's admin (which checks
# Django's own model permissions).
ADMIN_SITE_PREFIX = "admin:"
GUARDED_STAFF_ROUTE_PREFIXES: tuple[str, ...] = (ADMIN_SITE_PREFIX, *STAFF_ROUTE_PREFIXES)


def permission_for(route_name: str) -> str:
    return PERMISSIONS.get(route_name, ADMIN_ONLY)


def is_staff_route(route_name: str) -> bool:
    return route_name.startswith(STAFF_ROUTE_PREFIXES)
