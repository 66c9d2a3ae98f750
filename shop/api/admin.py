"""The staff API (docs/contract.md §4): every order, the audit log, security events.

Bearer tokens only (request.principal, shop/api/auth.py). The permission each route needs is
the one of shop/staff/permissions.py (keyed by URL name, admin-only when unlisted):
401 without a token, 403 (and a security event) for a customer or a role without it. Every
read of an order (and every page of the order list) is audited. Private, no-store.
"""

from django.http import HttpRequest
from ninja import Query, Router

from shop.accounts.principal import Principal
from shop.orders import staff_selectors as order_selectors
from shop.staff import security
from shop.staff.access import actor_from_request, permission_denied_record
from shop.staff.errors import StaffForbidden
from shop.staff.permissions import permission_for
from shop.staff.roles import principal_has

from .auth import PrincipalBearer
from .schemas.admin import (
    AdminOrderListOut,
    AdminOrderOut,
    AdminOrderQuery,
    AuditEventListOut,
    AuditEventQuery,
    SecurityEventListOut,
    SecurityEventQuery,
)


class StaffBearer(PrincipalBearer):
    """A bearer principal whose role holds the permission this route needs (by URL name)."""

    def __call__(self, request: HttpRequest) -> Principal | None:
        principal = super().__call__(request)
        if principal is None:
            return None  # 401
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match is not None else ""
        permission = permission_for(route)
        if not principal_has(principal, permission):
            permission_denied_record(request, route=route, permission=permission)
            raise StaffForbidden()
        request.staff_actor = actor_from_request(request, via="api")
        return principal


router = Router(tags=["staff"], auth=StaffBearer())


def _cursor(value) -> int | None:
    return int(value) if value is not None else None


@router.get("/admin/orders", response=AdminOrderListOut, url_name="admin_order_list")
def admin_order_list(request, query: Query[AdminOrderQuery]):
    """Every order, newest first; `q` searches number, email or name; `status` filters.
    Each page read is one audit record (with whose orders it held)."""
    return order_selectors.order_page(
        actor=request.staff_actor, q=query.q, status=query.status, cursor=query.cursor,
        limit=query.limit,
    )


@router.get("/admin/orders/{number}", response=AdminOrderOut, url_name="admin_order_detail")
def admin_order_detail(request, number: str):
    """One order with its customer, lines, address and masked card. Audited."""
    return order_selectors.order_read(actor=request.staff_actor, number=number)


@router.get("/admin/audit-events", response=AuditEventListOut, url_name="admin_audit_events")
def admin_audit_events(request, query: Query[AuditEventQuery]):
    """Who read or changed which customer's data, when, from where (admins). Newest first;
    `next_cursor` goes as `before`."""
    page = security.audit_event_page(
        actor=request.staff_actor, customer_id=query.customer_id, actor_id=query.actor_id,
        action=query.action, before=query.before, limit=query.limit,
    )
    return {"items": page.items, "next_cursor": _cursor(page.next_cursor)}


@router.get(
    "/admin/security-events", response=SecurityEventListOut, url_name="admin_security_events"
)
def admin_security_events(request, query: Query[SecurityEventQuery]):
    """Denied accesses, token failures, throttling, guard trips, alerts raised (admins)."""
    page = security.security_event_page(
        actor=request.staff_actor, kind=query.kind, user_id=query.user_id,
        before=query.before, limit=query.limit,
    )
    return {"items": page.items, "next_cursor": _cursor(page.next_cursor)}
