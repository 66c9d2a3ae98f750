"""What staff do to orders: fulfil, cancel (stock back, money back), refund. Owned by the
staff dashboard (shop/dashboard, shop/api/admin.py); checkout stays in services.py.

Each operation checks the actor's role (shop/staff/access.py), changes the status with a
conditional UPDATE (two staff members acting at once: one wins, the other gets a Conflict),
and writes its audit record in the same transaction. Money moves through the payment
gateway's `refund`, called before the transaction (never hold a row lock across the network)
with the order number as its idempotency reference: a retry, or a race lost after the
refund, never refunds twice.

| from            | fulfil      | cancel                          | refund                     |
|-----------------|-------------|---------------------------------|----------------------------|
| pending_payment | -           | cancelled, stock back           | -                          |
| paid            | fulfilled   | cancelled, stock back, refunded | -                          |
| fulfilled       | -           | -                               | refunded (stock back: opt) |
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shop.core.errors import Conflict, NotFound
from shop.monitoring.audit import Action, audit_record
from shop.staff.access import Actor, require
from shop.staff.roles import Perm

from .models import Order, OrderLine, OrderStatus, Payment
from .payments import gateway
from .stock import stock_return


class StatusChanged(Conflict):
    code = "status_changed"
    message = "This order changed meanwhile (someone else acted on it). Reload and retry."


def _order(number: str) -> Order:
    order = Order.objects.filter(number=(number or "").strip().upper()).first()
    if order is None:
        raise NotFound("We could not find this order.")
    return order


def _transition(order: Order, *, to: str, allowed_from: tuple[str, ...]) -> str:
    """Conditional UPDATE; returns the previous status or raises StatusChanged."""
    changed = Order.objects.filter(pk=order.pk, status__in=allowed_from).update(status=to)
    if not changed:
        raise StatusChanged()
    previous = order.status
    order.status = to
    return previous


def _restock(order: Order) -> int:
    quantities: dict[int, int] = {}
    for variant_id, quantity in OrderLine.objects.filter(
        order_id=order.pk, variant__isnull=False
    ).values_list("variant_id", "quantity"):
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity
    stock_return(quantities=quantities)
    return sum(quantities.values())


def _refund(order: Order) -> tuple[Decimal, list[str]]:
    """Refunds every captured payment of the order at the gateway (outside a transaction).
    Returns the amount and the gateway's refund references."""
    payments = list(Payment.objects.filter(order_id=order.pk, status=Payment.Status.CAPTURED))
    total = Decimal("0.00")
    references = []
    for payment in payments:
        refund = gateway().refund(
            charge_reference=payment.reference, amount=payment.amount,
            currency=payment.currency, reference=f"{order.number}:{payment.pk}",
        )
        total += refund.amount
        references.append(refund.reference)
    return total, references


def order_fulfil(*, actor: Actor, number: str) -> Order:
    """Paid → fulfilled (the parcel left)."""
    require(actor, Perm.CHANGE_ORDER_STATUS)
    order = _order(number)
    with transaction.atomic():
        previous = _transition(order, to=OrderStatus.FULFILLED, allowed_from=(OrderStatus.PAID,))
        audit_record(
            actor=actor, action=Action.ORDER_STATUS, object_type="order", object_id=order.number,
            customer_id=order.user_id, details={"from": previous, "to": OrderStatus.FULFILLED},
        )
    return order


def order_cancel(*, actor: Actor, number: str, reason: str = "") -> Order:
    """Pending or paid → cancelled; every unit goes back to stock, a paid order's money back
    to the card (which needs the refund permission too)."""
    require(actor, Perm.CHANGE_ORDER_STATUS)
    order = _order(number)
    allowed = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
    if order.status not in allowed:
        raise StatusChanged("Only pending or paid orders can be cancelled.")
    refunded, references = Decimal("0.00"), []  # type: ignore[var-annotated]
    if order.status == OrderStatus.PAID:
        require(actor, Perm.REFUND_ORDER)
        refunded, references = _refund(order)
    with transaction.atomic():
        previous = _transition(order, to=OrderStatus.CANCELLED, allowed_from=allowed)
        units = _restock(order)
        Payment.objects.filter(order_id=order.pk, status=Payment.Status.CAPTURED).update(
            status=Payment.Status.REFUNDED
        )
        audit_record(
            actor=actor, action=Action.ORDER_CANCEL, object_type="order", object_id=order.number,
            customer_id=order.user_id,
            details={"from": previous, "to": OrderStatus.CANCELLED, "restocked_units": units,
                     "refunded": str(refunded), "refunds": references,
                     "reason": " ".join(reason.split())[:200]},
        )
    return order


def order_refund(*, actor: Actor, number: str, restock: bool = False,
                 reason: str = "") -> Order:
    """Fulfilled → refunded: the whole payment back to the card; `restock` when the goods
    came back in a sellable state."""
    require(actor, Perm.REFUND_ORDER)
    order = _order(number)
    if order.status != OrderStatus.FULFILLED:
        raise StatusChanged("Only fulfilled orders can be refunded; cancel a paid order.")
    refunded, references = _refund(order)
    with transaction.atomic():
        previous = _transition(order, to=OrderStatus.REFUNDED,
                               allowed_from=(OrderStatus.FULFILLED,))
        units = _restock(order) if restock else 0
        Payment.objects.filter(order_id=order.pk, status=Payment.Status.CAPTURED).update(
            status=Payment.Status.REFUNDED
        )
        audit_record(
            actor=actor, action=Action.ORDER_REFUND, object_type="order", object_id=order.number,
            customer_id=order.user_id,
            details={"from": previous, "to": OrderStatus.REFUNDED, "refunded": str(refunded),
                     "refunds": references, "restocked_units": units,
                     "reason": " ".join(reason.split())[:200], "at": timezone.now().isoformat()},
        )
    return order

