"""Reconciliation: money whose answer the shop never heard is settled by asking the provider.

A Payment still `charging`, or a Refund still `refunding`, after `older_than` belongs to a
request that died (a crash, a killed worker, a lost database connection) or to a provider
that did not answer. For each, the provider is asked by the idempotency key the shop sent:

- a charge that happened -> the order is paid (its confirmation e-mail queued);
- a charge that did not -> it is voided at the provider first (so it can never happen
  later), then the order is cancelled and its stock given back, once;
- a refund that happened -> settled; one that never arrived -> sent again with the same key
  (the staff's decision stands; the provider never refunds one key twice);
- a refund the provider accepted but had not settled (`pending`), in case its webhook never
  came -> asked by its reference: arrived (refunded) or bounced (owed again, shown to staff).

Orders from before payment attempts existed, still pending with nothing in flight, are
cancelled and restocked. Run by `manage.py reconcile_payments` (every few minutes) and
`manage.py release_abandoned_orders` (its older name, for abandoned checkouts); both are
idempotent and safe to run on several machines at once: every change is a conditional
UPDATE (shop/orders/state.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .models import MoneyInFlight, Order, OrderStatus, Payment, Refund
from .order_money import order_discount_release
from .payments import REFUND_ARRIVED, REFUND_BOUNCED, gateway_for
from .settlement import charge_settle, refund_arrived, refund_bounced, refund_settle
from .state import order_move
from .stock import order_restock
from .tasks import order_email_queue

logger = logging.getLogger("shop.orders")

# A checkout's charge older than this has no request waiting for it any more.
ABANDONED_AFTER = dt.timedelta(minutes=30)
# The reconciliation job's default: long past any request's timeout.
UNANSWERED_AFTER = dt.timedelta(minutes=5)
BATCH = 500


@dataclass
class Report:
    paid: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    refunded: list[str] = field(default_factory=list)
    bounced: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{len(self.paid)} paid, {len(self.cancelled)} cancelled, "
                f"{len(self.refunded)} refund(s) settled, {len(self.bounced)} bounced, "
                f"{len(self.undecided)} left for later")


def payments_reconcile(*, older_than: dt.timedelta = UNANSWERED_AFTER,
                       refunds: bool = True) -> Report:
    cutoff = timezone.now() - older_than
    report = Report()
    for payment in Payment.objects.filter(
        status=Payment.Status.CHARGING, created_at__lt=cutoff
    ).select_related("order").order_by("created_at")[:BATCH]:
        settled = charge_settle(payment=payment)
        number = payment.order.number
        if settled is None:
            report.undecided.append(number)
        elif settled.order.status == OrderStatus.PAID and settled.by_me:
            report.paid.append(number)
        elif settled.by_me:
            report.cancelled.append(number)
    if refunds:
        for refund in Refund.objects.filter(
            status=Refund.Status.REFUNDING, created_at__lt=cutoff
        ).select_related("order").order_by("created_at")[:BATCH]:
            settled = refund_settle(refund=refund)
            (report.refunded if settled is not None and settled.by_me
             else report.undecided).append(refund.order.number)
        _pending_refunds_ask(cutoff=cutoff, report=report)
    report.cancelled += _release_orders_without_attempt(cutoff=cutoff)
    if report.paid or report.cancelled or report.refunded or report.bounced or \
            report.undecided:
        logger.info("payments reconciled", extra={
            "paid": report.paid, "cancelled": report.cancelled, "refunded": report.refunded,
            "bounced": report.bounced, "undecided": report.undecided,
        })
    return report


def _pending_refunds_ask(*, cutoff: dt.datetime, report: Report) -> None:
    """Refunds accepted but not settled by the provider, oldest first (their webhook is the
    usual news; this is for the one that never came)."""
    for refund in Refund.objects.filter(
        status=Refund.Status.PENDING, created_at__lt=cutoff
    ).select_related("order", "payment").order_by("created_at")[:BATCH]:
        status = gateway_for(refund.payment.gateway).refund_status(reference=refund.reference)
        if status == REFUND_ARRIVED and refund_arrived(refund=refund):
            report.refunded.append(refund.order.number)
        elif status == REFUND_BOUNCED and refund_bounced(refund=refund):
            report.bounced.append(refund.order.number)


def _release_orders_without_attempt(*, cutoff: dt.datetime) -> list[str]:
    released = []
    for order in Order.objects.filter(
        status=OrderStatus.PENDING_PAYMENT, money_in_flight=MoneyInFlight.NONE,
        created_at__lt=cutoff,
    ).order_by("created_at")[:BATCH]:
        with transaction.atomic():
            if order_move(order=order, expected=[OrderStatus.PENDING_PAYMENT],
                          to=OrderStatus.CANCELLED, cancelled_at=timezone.now()):
                order_restock(order=order)
                order_discount_release(order=order)
                order_email_queue(order=order, kind="not_charged")
                released.append(order.number)
    return released
