"""The order's state machine: the one place an order's status (and its "money in flight"
mark) changes.

Every change is one conditional UPDATE: `... WHERE id = %s AND status IN (expected) AND
money_in_flight = (expected)`. Of two actors that race (a manager's cancel and another's
fulfil, the release job and a checkout, a webhook and the shop's own call), exactly one
changes the row; the other sees 0 rows changed and loses cleanly, before it moved any money or
stock. A transition that changes the status writes the timeline event in the same
transaction.

    status           money in flight   who moves it, and to what
    pending_payment  charge            the charge settles (checkout, webhook, reconciliation):
                                         captured -> paid; declined or not charged ->
                                         cancelled (stock back) or deleted (the shopper's own
                                         declined checkout)
    pending_payment  -                 (orders from before payment attempts existed) manager
                                         cancel, release job -> cancelled (stock back)
    paid             -                 manager fulfil -> fulfilled; manager refund or cancel ->
                                         money in flight "refund"
    fulfilled        -                 manager refund -> money in flight "refund"
    paid/fulfilled   refund            the refund settles: refunded -> status unchanged
                                         (partial), refunded (all of it) or cancelled (the
                                         refund of a cancellation); refused -> unchanged
    cancelled, refunded                final

Nothing may cancel, fulfil, release or refund an order while money is in flight: each of
those transitions requires `money_in_flight = ""`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shop.core.errors import Conflict

from .models import MoneyInFlight, Order, OrderEvent, OrderStatus

S = OrderStatus
ALLOWED: dict[tuple[str, str], str] = {
    (S.PENDING_PAYMENT, S.PAID): "the charge was captured",
    (S.PENDING_PAYMENT, S.CANCELLED): "not charged (declined, abandoned) or cancelled by staff",
    (S.PAID, S.FULFILLED): "shipped by staff",
    (S.PAID, S.CANCELLED): "cancelled by staff, once its refund settled",
    (S.PAID, S.REFUNDED): "refunded in full",
    (S.FULFILLED, S.REFUNDED): "refunded in full",
}
EVENT_OF: dict[str, str] = {
    S.PAID: OrderEvent.Kind.PAID,
    S.FULFILLED: OrderEvent.Kind.FULFILLED,
    S.CANCELLED: OrderEvent.Kind.CANCELLED,
    S.REFUNDED: OrderEvent.Kind.REFUNDED,
}
# the order's own timestamp of a status, when it has one: its event carries the same time
STAMP_OF: dict[str, str] = {
    S.PAID: "paid_at", S.FULFILLED: "fulfilled_at", S.CANCELLED: "cancelled_at",
}


class OrderBusy(Conflict):
    code = "payment_in_progress"
    message = ("This order is being paid or refunded right now. Wait a moment, reload the "
               "order and try again.")


class StatusChanged(Conflict):
    code = "status_changed"
    message = "This order changed meanwhile (someone else acted on it). Reload and retry."


def order_move(
    *,
    order: Order,
    expected: Iterable[str],
    to: str | None = None,
    in_flight: str = MoneyInFlight.NONE,
    in_flight_to: str = MoneyInFlight.NONE,
    event_amount: Decimal | None = None,
    **fields: Any,
) -> bool:
    """Moves `order` from one of the `expected` statuses with `in_flight` to `to` (None: the
    status stays) with `in_flight_to`, setting `fields` too. True when this call made the
    change; False when the row was not in that state any more (someone else moved it). The
    instance is updated on success. Must run inside a transaction when it changes the
    status (the event is written with it)."""
    expected = tuple(expected)
    if to is not None:
        for source in expected:
            if (source, to) not in ALLOWED:
                raise ValueError(f"no transition {source} -> {to}")
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("a status change must run inside a transaction")
    values = {"money_in_flight": in_flight_to, **fields}
    if to is not None:
        values["status"] = to
    changed = Order.objects.filter(
        pk=order.pk, status__in=expected, money_in_flight=in_flight
    ).update(**values)
    if not changed:
        return False
    for name, value in values.items():
        setattr(order, name, value)
    if to is not None:
        OrderEvent.objects.create(order=order, kind=EVENT_OF[to], status=to,
                                  amount=event_amount,
                                  at=fields.get(STAMP_OF.get(to, "")) or timezone.now())
    return True


def order_event(*, order: Order, kind: str, amount: Decimal | None = None) -> OrderEvent:
    """A timeline event without a status change (placed, a partial refund)."""
    return OrderEvent.objects.create(order=order, kind=kind, status=order.status,
                                     amount=amount, at=timezone.now())


def refuse(order: Order, *, expected: Iterable[str]) -> Conflict:
    """The error for a transition that did not happen: busy, or a status that moved on."""
    current = Order.objects.filter(pk=order.pk).values_list("status", "money_in_flight").first()
    if current is None:
        return StatusChanged("This order no longer exists.")
    status, in_flight = current
    order.status, order.money_in_flight = status, in_flight
    if in_flight:
        return OrderBusy()
    if status not in tuple(expected):
        return StatusChanged()
    return StatusChanged()
