"""The staff API's order actions (docs/contract.md §4.1): fulfil, cancel, refund. Mounted
beside the staff API (shop/api/admin.py) with the same authentication: a bearer token whose
role holds the route's permission (shop/staff/permissions.py), else 401/403. Each operation
only calls shop.orders.actions, which checks the role again, audits, and e-mails the
customer. Private, no-store (shop/policy/cache.py)."""

from ninja import Router

from shop.orders import actions
from shop.orders.selectors import order_after_action

from .admin import StaffBearer
from .schemas.orders import CancelIn, FulfilIn, RefundIn, StaffOrderOut

router = Router(tags=["staff"], auth=StaffBearer())


def _answer(number: str) -> dict:
    """The order as the action left it (the action itself is the audit record)."""
    return StaffOrderOut.from_staff_order(order_after_action(number=number))


@router.post("/admin/orders/{number}/fulfil", response=StaffOrderOut,
             url_name="admin_order_fulfil")
def admin_order_fulfil(request, number: str, payload: FulfilIn):
    """Paid -> fulfilled, with the carrier and tracking number when given; the customer is
    e-mailed. 409 when the order is not paid (or money is moving for it right now)."""
    actions.order_fulfil(actor=request.staff_actor, number=number, carrier=payload.carrier,
                         tracking_number=payload.tracking_number)
    return _answer(number)


@router.post("/admin/orders/{number}/cancel", response=StaffOrderOut,
             url_name="admin_order_cancel")
def admin_order_cancel(request, number: str, payload: CancelIn):
    """Pending or paid -> cancelled: what was captured goes back to the card (the refund
    permission is needed too), the units back on the shelf unless `restock` is false, and
    the customer is e-mailed. 409 for a shipped order (refund it) or while money is moving."""
    actions.order_cancel(actor=request.staff_actor, number=number, reason=payload.reason,
                         restock=payload.restock)
    return _answer(number)


@router.post("/admin/orders/{number}/refund", response=StaffOrderOut,
             url_name="admin_order_refund")
def admin_order_refund(request, number: str, payload: RefundIn):
    """Gives `amount` (default: what is left) back to the card; `refunded` grows, and the
    order is `refunded` once all of it is. More than what is left: 422. The customer is
    e-mailed."""
    actions.order_refund(actor=request.staff_actor, number=number, amount=payload.amount,
                         reason=payload.reason, restock=payload.restock)
    return _answer(number)
