"""What staff do to orders: fulfil (with the carrier and tracking number), cancel (stock back,
money back), refund (all or part, by amount); and to stock: adjustments with a reason. The
interfaces (the dashboard, the staff API) only check the route's permission and call these;
each one checks the actor's role again (shop/staff/access.py), moves the order through the
state machine (shop/orders/state.py), writes its audit record and queues the customer's
e-mail in the same transaction.

Money moves in three steps, never holding a lock across the network:
1. one transaction: the order's refund goes in flight (a conditional UPDATE: it fails, and
   nothing happens, when the order moved meanwhile or money is already in flight) and the
   Refund row is written (`refunding`, with the idempotency key the provider will get);
2. the provider is asked, outside any transaction;
3. the refund settles (shop/orders/settlement.py): amounts, status, stock, e-mail.
A process that dies between the steps leaves the Refund row `refunding`; the reconciliation
job asks the provider by its key and finishes it.

| from            | fulfil    | cancel                                | refund (amount <= left) |
|-----------------|-----------|---------------------------------------|-------------------------|
| pending_payment | -         | cancelled, stock back (no charge in   | -                       |
|                 |           | flight: otherwise "being paid", 409)  |                         |
| paid            | fulfilled | refund of what is left, then          | paid (part) or refunded |
|                 |           | cancelled, stock back                 | (all)                   |
| fulfilled       | -         | - (refund instead)                    | fulfilled (part) or     |
|                 |           |                                       | refunded (all); stock   |
|                 |           |                                       | back if asked, once     |
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from shop.catalog.models import StockAdjustment
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.core.faults import fault_point
from shop.monitoring.audit import Action, audit_record
from shop.staff.access import Actor, require
from shop.staff.roles import Perm

from .models import MoneyInFlight, Order, OrderStatus, Payment
from .order_money import order_discount_release
from .settlement import refund_record, refund_send
from .state import StatusChanged, order_move, refuse
from .stock import order_restock, stock_adjust
from .tasks import order_email_queue

S = OrderStatus
CENT = Decimal("0.01")
TRACKING_MAX = 60

__all__ = ["StatusChanged", "order_cancel", "order_fulfil", "order_refund",
           "variant_stock_adjust"]


class RefundTooLarge(InvalidInput):
    code = "refund_too_large"
    status = 422
    message = "That is more than what is left to refund."


def _order(number: str) -> Order:
    order = Order.objects.filter(number=(number or "").strip().upper()).first()
    if order is None:
        raise NotFound("We could not find this order.")
    return order


def _text(value: str, *, limit: int, what: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit or not value.isprintable():
        raise InvalidInput(f"The {what} must be at most {limit} printable characters.",
                           code="invalid_tracking")
    return value


def _reason(reason: str) -> str:
    return " ".join((reason or "").split())[:200]


def parse_amount(value: str | Decimal | None) -> Decimal | None:
    """An amount typed by staff ("10", "10.5", "10.50"); empty: None (everything left)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput("Enter the amount as a number, like 10.50.",
                           code="invalid_amount") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidInput("Enter an amount above zero with at most two decimals.",
                           code="invalid_amount")
    return amount


def order_fulfil(*, actor: Actor, number: str, carrier: str = "",
                 tracking_number: str = "") -> Order:
    """Paid -> fulfilled (the parcel left); the customer is e-mailed the tracking."""
    require(actor, Perm.CHANGE_ORDER_STATUS)
    carrier = _text(carrier, limit=TRACKING_MAX, what="carrier")
    tracking_number = _text(tracking_number, limit=TRACKING_MAX, what="tracking number")
    order = _order(number)
    with transaction.atomic():
        if not order_move(order=order, expected=[S.PAID], to=S.FULFILLED,
                          fulfilled_at=timezone.now(), tracking_carrier=carrier,
                          tracking_number=tracking_number):
            raise _refused(order, "Only paid orders can be marked as shipped.")
        audit_record(
            actor=actor, action=Action.ORDER_STATUS, object_type="order",
            object_id=order.number, customer_id=order.user_id,
            details={"from": S.PAID, "to": S.FULFILLED, "carrier": carrier,
                     "tracking_number": tracking_number},
        )
        order_email_queue(order=order, kind="fulfilled")
    return order


def order_cancel(*, actor: Actor, number: str, reason: str = "", restock: bool = True
                 ) -> Order:
    """Pending (no charge in flight) -> cancelled; paid -> what is left of the payment goes
    back to the card (which needs the refund permission too), then cancelled. The units go
    back on the shelf unless `restock` is false."""
    require(actor, Perm.CHANGE_ORDER_STATUS)
    reason = _reason(reason)
    order = _order(number)
    if order.status == S.PENDING_PAYMENT:
        return _cancel_unpaid(actor=actor, order=order, reason=reason, restock=restock)
    if order.status != S.PAID:
        raise StatusChanged("Only pending or paid orders can be cancelled; refund a shipped "
                            "order instead.")
    require(actor, Perm.REFUND_ORDER)
    with transaction.atomic():
        if not order_move(order=order, expected=[S.PAID], in_flight_to=MoneyInFlight.REFUND):
            raise _refused(order, "Only pending or paid orders can be cancelled.")
        payment = _captured_payment(order)
        refund = refund_record(
            order=order, payment=payment, amount=payment.amount - payment.amount_refunded,
            reason=reason, actor_id=actor.user_id, cancels_order=True, restock=restock,
        )
        audit_record(
            actor=actor, action=Action.ORDER_CANCEL, object_type="order",
            object_id=order.number, customer_id=order.user_id,
            details={"from": S.PAID, "to": S.CANCELLED, "refund": str(refund.amount),
                     "restock": restock, "reason": reason},
        )
    fault_point("refund.recorded")
    return refund_send(refund=refund).order


def _cancel_unpaid(*, actor: Actor, order: Order, reason: str, restock: bool) -> Order:
    with transaction.atomic():
        if not order_move(order=order, expected=[S.PENDING_PAYMENT], to=S.CANCELLED,
                          cancelled_at=timezone.now()):
            raise _refused(order, "Only pending or paid orders can be cancelled.")
        units = order_restock(order=order) if restock else 0
        order_discount_release(order=order)
        audit_record(
            actor=actor, action=Action.ORDER_CANCEL, object_type="order",
            object_id=order.number, customer_id=order.user_id,
            details={"from": S.PENDING_PAYMENT, "to": S.CANCELLED, "restocked_units": units,
                     "reason": reason},
        )
        order_email_queue(order=order, kind="cancelled")
    return order


def order_refund(*, actor: Actor, number: str, amount: Decimal | str | None = None,
                 reason: str = "", restock: bool = False) -> Order:
    """Gives `amount` (default: everything left) of a paid or fulfilled order's payment back
    to the card; never more than what is left (RefundTooLarge, 422). In full: the order
    becomes refunded. `restock`: the goods came back sellable (once per order). A cancelled
    or refunded order has something left only when a refund of it bounced after the provider
    had accepted it (shop/orders/settlement.py refund_bounced): that can be refunded again."""
    require(actor, Perm.REFUND_ORDER)
    amount = parse_amount(amount)
    reason = _reason(reason)
    order = _order(number)
    with transaction.atomic():
        if not order_move(order=order, expected=[S.PAID, S.FULFILLED, S.CANCELLED, S.REFUNDED],
                          in_flight_to=MoneyInFlight.REFUND):
            raise _refused(order, "Only paid or shipped orders can be refunded.")
        payment = _captured_payment(order)
        left = payment.amount - payment.amount_refunded
        if order.status in (S.CANCELLED, S.REFUNDED) and left <= 0:
            raise _refused(order, "Only paid or shipped orders can be refunded.")
        if amount is None:
            amount = left
        if amount > left or left <= 0:
            raise RefundTooLarge(f"At most {left} {payment.currency} is left to refund.")
        refund = refund_record(order=order, payment=payment, amount=amount, reason=reason,
                               actor_id=actor.user_id, restock=restock)
        audit_record(
            actor=actor, action=Action.ORDER_REFUND, object_type="order",
            object_id=order.number, customer_id=order.user_id,
            details={"status": order.status, "refund": str(amount), "left_before": str(left),
                     "restock": restock, "reason": reason},
        )
    fault_point("refund.recorded")
    return refund_send(refund=refund).order


def _captured_payment(order: Order) -> Payment:
    payment = (Payment.objects.filter(order=order, status__in=[Payment.Status.CAPTURED])
               .order_by("-created_at").first())
    if payment is None:
        raise StatusChanged("This order has no captured payment to refund.")
    return payment


def _refused(order: Order, wrong_status: str) -> Conflict:
    error = refuse(order, expected=[])
    if isinstance(error, StatusChanged) and order.status in (S.CANCELLED, S.REFUNDED,
                                                              S.FULFILLED, S.PAID,
                                                              S.PENDING_PAYMENT):
        return StatusChanged(f"{wrong_status} This order is {order.get_status_display().lower()}"
                             " now; reload it.")
    return error


def variant_stock_adjust(
    *, actor: Actor, variant_id: int, delta: int, reason: str, note: str = ""
) -> StockAdjustment:
    """A staff member adds (or takes) units of a variant, with a reason; audited. The change
    itself is shop/orders/stock.py's, like every other change of stock."""
    require(actor, Perm.ADJUST_STOCK)
    with transaction.atomic():
        adjustment = stock_adjust(
            variant_id=variant_id, delta=delta, reason=reason, note=note, actor_id=actor.user_id
        )
        audit_record(
            actor=actor, action=Action.STOCK_ADJUST, object_type="variant",
            object_id=adjustment.variant_id,
            details={"delta": delta, "stock_after": adjustment.stock_after, "reason": reason,
                     "note": adjustment.note, "adjustment": adjustment.pk},
        )
    return adjustment
