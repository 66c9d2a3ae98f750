"""Settling money: what the shop records once a payment provider has answered, whoever heard
the answer first (the request that asked, a provider webhook, or the reconciliation job that
asked again by the idempotency key).

Every function here is idempotent and safe against the others running at the same moment:
each settles a Payment or Refund row only from its in-flight state, and moves the order only
through shop/orders/state.py. The loser of a race changes nothing.

    charge_captured      charging -> captured; order pending -> paid; confirmation e-mail
    charge_not_charged   charging -> declined / failed; order pending -> cancelled, its stock
                         back once (the shopper's own declined checkout: the order is removed
                         and its lines go back into the cart)
    charge_settle        asks the provider what became of a charging attempt, then one of the
                         two above
    refund_send          asks the provider for a recorded refund, then refund_settled /
                         refund_refused
    refund_settled       refunding -> refunded (or pending: accepted, the provider settles
                         it later); order amounts, status (refunded in full, cancelled for a
                         cancellation's refund), stock back if asked, e-mail
    refund_arrived       pending -> refunded: the provider says the money reached the card
    refund_bounced       pending -> bounced: it failed after it was accepted (a closed card);
                         the amount comes off the order's and payment's refunded amounts and
                         staff must refund again (the dashboard's "Refunds to redo")
    refund_settle        asks the provider by key what became of a refunding refund; sends it
                         when it never arrived (the staff's decision stands)

Lock order inside each transaction: cart, order, then payment/refund rows, then variants
(shop/orders/stock.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from shop.accounts.principal import Principal
from shop.cart.models import Cart, CartLine
from shop.cart.selectors import cart_for
from shop.core.errors import ShopError
from shop.core.faults import fault_point

from .models import (
    IdempotencyKey,
    MoneyInFlight,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
)
from .order_money import order_discount_release
from .payments import (
    ChargeOutcome,
    PaymentUnavailable,
    PaymentUncertain,
    RefundFailed,
    gateway_for,
)
from .state import order_event, order_move
from .stock import order_restock
from .tasks import order_email_queue

logger = logging.getLogger("shop.orders")

S = OrderStatus


class RefundPending(ShopError):
    code = "refund_unconfirmed"
    status = 503
    message = ("The payment service did not confirm the refund. It is recorded and will be "
               "completed automatically within a few minutes; do not refund again.")


@dataclass(frozen=True)
class Settled:
    order: Order
    # True when this call recorded the outcome; False when someone else already had
    by_me: bool


# --- charges


def payment_provider_id_set(*, payment: Payment, provider_id: str) -> None:
    """Records the provider's id of an attempt before the provider is asked to charge it
    (autocommit: it must survive a crash of this process)."""
    Payment.objects.filter(pk=payment.pk, status=Payment.Status.CHARGING).update(
        provider_id=provider_id[:100]
    )
    payment.provider_id = provider_id[:100]


def charge_captured(*, payment: Payment, reference: str, order: Order | None = None
                    ) -> Settled:
    """The provider took the money for `payment`: the order is paid. `order`: the payment's
    order when the caller holds it (saves reading it again)."""
    now = timezone.now()
    with transaction.atomic():
        if order is None or order.pk != payment.order_id:
            order = Order.objects.get(pk=payment.order_id)
        moved = order_move(
            order=order, expected=[S.PENDING_PAYMENT], in_flight=MoneyInFlight.CHARGE,
            to=S.PAID, paid_at=now, payment_brand=payment.brand, payment_last4=payment.last4,
        )
        captured = Payment.objects.filter(
            pk=payment.pk, status=Payment.Status.CHARGING
        ).update(status=Payment.Status.CAPTURED, reference=reference, settled_at=now)
        if captured and not moved:
            # Money arrived for an order that no longer waits for it. The rules make this
            # impossible (nothing moves an order while its charge is in flight); if it ever
            # happens, the money is recorded and goes back.
            logger.critical("a charge landed on an order that was not waiting for it",
                            extra={"order": order.number})
            _refund_orphan(order=order, payment_id=payment.pk, amount=payment.amount,
                           currency=payment.currency)
        if moved:
            order_email_queue(order=order, kind="confirmation")
    if captured:
        payment.status, payment.reference, payment.settled_at = (
            Payment.Status.CAPTURED, reference, now)
    return Settled(order=order, by_me=bool(moved and captured))


def charge_not_charged(
    *, payment: Payment, status: str = Payment.Status.FAILED,
    give_back_to: Principal | None = None, session: SessionBase | None = None,
) -> Settled:
    """No money was taken and none will be: the order dies and its stock goes back once.
    `give_back_to`: the shopper whose own checkout was declined; their lines go back into
    their cart (a guest's: the cart of `session`) and the order is removed (a declined
    checkout leaves nothing behind)."""
    now = timezone.now()
    with transaction.atomic():
        cart = (cart_for(viewer=give_back_to, session=session, for_update=True)
                if give_back_to else None)
        order = Order.objects.get(pk=payment.order_id)
        moved = order_move(
            order=order, expected=[S.PENDING_PAYMENT], in_flight=MoneyInFlight.CHARGE,
            to=S.CANCELLED, cancelled_at=now,
        )
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.CHARGING).update(
            status=status, settled_at=now
        )
        if moved:
            order_restock(order=order)
            order_discount_release(order=order, back_to_cart_id=(
                cart.pk if give_back_to is not None and cart is not None else None))
            if give_back_to is not None:
                _lines_back_to_cart(order=order, cart=cart)
                _order_remove(order=order)
            else:
                order_email_queue(order=order, kind="not_charged")
    return Settled(order=order, by_me=moved)


def _lines_back_to_cart(*, order: Order, cart: Cart | None) -> None:
    if cart is None:
        return
    lines = list(OrderLine.objects.filter(order=order, variant__isnull=False))
    CartLine.objects.bulk_create(
        [CartLine(cart=cart, variant_id=line.variant_id, sku=line.sku, name=line.product_name,
                  quantity=line.quantity) for line in lines],
        update_conflicts=True, unique_fields=["cart", "variant"], update_fields=["quantity"],
    )


def _order_remove(*, order: Order) -> None:
    """A declined checkout leaves no order, no attempt, no key claim (the key may be used
    again): the shopper saw a 402 and their cart is as it was."""
    IdempotencyKey.objects.filter(order=order).delete()
    Payment.objects.filter(order=order).delete()
    OrderEvent.objects.filter(order=order).delete()
    OrderLine.objects.filter(order=order).delete()
    Order.objects.filter(pk=order.pk).delete()


def charge_settle(*, payment: Payment, give_back_to: Principal | None = None
                  ) -> Settled | None:
    """Asks the provider what became of a charging attempt (making sure nothing more will)
    and records it. None when the provider cannot tell yet or cannot be reached.
    `give_back_to`: the shopper still waiting in the request (see charge_not_charged)."""
    try:
        outcome: ChargeOutcome | None = gateway_for(payment.gateway).charge_settle(
            idempotency_key=payment.idempotency_key, provider_id=payment.provider_id
        )
    except (PaymentUnavailable, PaymentUncertain):
        logger.warning("payment provider unreachable; attempt left for later",
                       extra={"payment": payment.pk})
        return None
    if outcome is None:
        return None
    if outcome.charged:
        return charge_captured(payment=payment, reference=outcome.reference)
    return charge_not_charged(payment=payment, status=Payment.Status.FAILED,
                              give_back_to=give_back_to)


# --- refunds


def refund_record(
    *, order: Order, payment: Payment, amount: Decimal, reason: str, actor_id: int | None,
    cancels_order: bool = False, restock: bool = False,
) -> Refund:
    """The refund row, written in the transaction that put the order's refund in flight."""
    return Refund.objects.create(
        order=order, payment=payment, amount=amount, currency=payment.currency,
        reason=" ".join((reason or "").split())[:200], actor_id=actor_id,
        cancels_order=cancels_order, restock=restock,
    )


def refund_send(*, refund: Refund) -> Settled:
    """Asks the provider for a recorded refund (outside any transaction) and settles it.
    Raises RefundFailed (refused: recorded, nothing changed) or RefundPending (no answer:
    left in flight for the reconciliation job)."""
    payment = Payment.objects.get(pk=refund.payment_id)
    order_number = Order.objects.filter(pk=refund.order_id).values_list("number", flat=True)
    try:
        result = gateway_for(payment.gateway).refund(
            charge_reference=payment.reference, amount=refund.amount, currency=refund.currency,
            idempotency_key=refund.idempotency_key, reference=order_number.first() or "",
        )
    except RefundFailed:
        refund_refused(refund=refund)
        raise
    except (PaymentUnavailable, PaymentUncertain):
        raise RefundPending() from None
    fault_point("refund.sent")
    settled = refund_settled(refund=refund, reference=result.reference, pending=result.pending)
    fault_point("refund.settled")
    return settled


def refund_settled(*, refund: Refund, reference: str, pending: bool = False) -> Settled:
    """The provider took the refund: it counts as given back (`pending` while the provider
    has not settled it)."""
    now = timezone.now()
    status = Refund.Status.PENDING if pending else Refund.Status.REFUNDED
    with transaction.atomic():
        order = Order.objects.get(pk=refund.order_id)
        if order.money_in_flight != MoneyInFlight.REFUND and order.status in (
            S.CANCELLED, S.REFUNDED
        ):
            return _orphan_refund_settled(order=order, refund=refund, reference=reference,
                                          status=status)
        payment = Payment.objects.get(pk=refund.payment_id)
        refunded_after = order.amount_refunded + refund.amount
        payment_refunded_after = payment.amount_refunded + refund.amount
        fields: dict[str, Any] = {"amount_refunded": refunded_after}
        if order.status in (S.CANCELLED, S.REFUNDED):
            # refunding again what bounced: the order is closed and stays as it is
            to, expected = None, [order.status]
        elif refund.cancels_order:
            to, expected = S.CANCELLED, [S.PAID]
            fields["cancelled_at"] = now
        elif payment_refunded_after >= payment.amount:
            to, expected = S.REFUNDED, [S.PAID, S.FULFILLED]
        else:
            to, expected = None, [S.PAID, S.FULFILLED]
        moved = order_move(order=order, expected=expected, in_flight=MoneyInFlight.REFUND,
                           to=to, event_amount=refund.amount, **fields)
        if not moved:
            return Settled(order=order, by_me=False)
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.REFUNDING).update(
            status=status, reference=reference, settled_at=None if pending else now
        )
        Payment.objects.filter(pk=payment.pk).update(
            amount_refunded=payment_refunded_after,
            status=(Payment.Status.REFUNDED if payment_refunded_after >= payment.amount
                    else payment.status),
        )
        if to is None:
            order_event(order=order, kind=OrderEvent.Kind.REFUNDED, amount=refund.amount)
        if refund.restock:
            order_restock(order=order)
        order_email_queue(order=order, kind="cancelled" if refund.cancels_order else "refunded",
                          refund=refund)
    refund.status, refund.reference = status, reference
    return Settled(order=order, by_me=True)


def refund_arrived(*, refund: Refund) -> bool:
    """pending -> refunded: the provider says the money reached the card."""
    return bool(Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
        status=Refund.Status.REFUNDED, settled_at=timezone.now()))


def refund_bounced(*, refund: Refund, why: str = "") -> bool:
    """A refund the provider had accepted failed after all (Stripe: a closed card): the money
    is back in the shop's balance and the customer was not repaid. The amount comes off the
    order's and the payment's refunded amounts (so staff can refund it again: the order's
    status stays, a cancelled order stays cancelled), the timeline says so, and an operator
    is told (a CRITICAL log line, the dashboard's "Refunds to redo"). Once per refund."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=refund.order_id)  # lock order first
        bounced = Refund.objects.filter(pk=refund.pk, status__in=Refund.GIVEN_BACK).update(
            status=Refund.Status.BOUNCED, settled_at=timezone.now())
        if not bounced:
            return False
        # (the refund of a charge that landed on a dead order never counted on the order)
        Order.objects.filter(pk=order.pk, amount_refunded__gte=refund.amount).update(
            amount_refunded=F("amount_refunded") - refund.amount)
        Payment.objects.filter(pk=refund.payment_id).update(
            amount_refunded=F("amount_refunded") - refund.amount,
            status=Payment.Status.CAPTURED)
        order_event(order=order, kind=OrderEvent.Kind.REFUND_FAILED, amount=refund.amount)
    logger.critical("a refund failed after the provider accepted it", extra={
        "event": "refund_bounced", "order": order.number, "amount": str(refund.amount),
        "currency": refund.currency, "reason": why[:100],
    })
    return True


def refund_refused(*, refund: Refund) -> None:
    """The provider refused: nothing was refunded; the order is free again."""
    with transaction.atomic():
        order = Order.objects.get(pk=refund.order_id)
        order_move(order=order, expected=[S.PAID, S.FULFILLED, S.CANCELLED, S.REFUNDED],
                   in_flight=MoneyInFlight.REFUND, to=None)
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.REFUNDING).update(
            status=Refund.Status.FAILED, settled_at=timezone.now()
        )


def refund_settle(*, refund: Refund) -> Settled | None:
    """A refund whose answer never arrived: asks the provider by its key; sends it (same key:
    never twice) when it did not get there."""
    payment = Payment.objects.get(pk=refund.payment_id)
    try:
        found = gateway_for(payment.gateway).refund_lookup(
            idempotency_key=refund.idempotency_key, charge_reference=payment.reference
        )
    except (PaymentUnavailable, PaymentUncertain):
        return None
    if found is not None:
        return refund_settled(refund=refund, reference=found.reference, pending=found.pending)
    try:
        return refund_send(refund=refund)
    except (RefundFailed, RefundPending):
        return None


def _refund_orphan(*, order: Order, payment_id: int, amount: Decimal, currency: str) -> None:
    """Records the refund of money that landed on a dead order; the reconciliation job
    sends it."""
    Refund.objects.create(order=order, payment_id=payment_id, amount=amount,
                          currency=currency, reason="charge on a closed order")


def _orphan_refund_settled(*, order: Order, refund: Refund, reference: str,
                           status: str = Refund.Status.REFUNDED) -> Settled:
    changed = Refund.objects.filter(pk=refund.pk, status=Refund.Status.REFUNDING).update(
        status=status, reference=reference,
        settled_at=None if status == Refund.Status.PENDING else timezone.now()
    )
    if changed:
        refunded = Refund.objects.filter(
            payment_id=refund.payment_id, status__in=Refund.GIVEN_BACK
        ).aggregate(total=Sum("amount"))["total"]
        Payment.objects.filter(pk=refund.payment_id).update(
            amount_refunded=refunded, status=Payment.Status.REFUNDED
        )
    return Settled(order=order, by_me=bool(changed))
