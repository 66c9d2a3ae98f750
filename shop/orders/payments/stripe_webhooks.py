"""Stripe's webhooks: verified with the stripe package's own signature check
(`stripe.Webhook.construct_event`: HMAC-SHA256 of "timestamp.payload" with the endpoint's
secret, within five minutes), applied once per event id (ProviderEvent), in any order with
the shop's own calls: everything goes through the same idempotent settlement functions
(shop/orders/settlement.py), so a webhook that arrives before the shop heard its own answer,
after it, or twice, leaves one paid order.

| event                                  | what it means here                                  |
|----------------------------------------|-----------------------------------------------------|
| payment_intent.succeeded               | a charge went through: the order is paid            |
| checkout.session.completed (paid),     | the shopper paid on the hosted page: paid           |
| checkout.session.async_payment_succeeded |                                                   |
| payment_intent.canceled,               | the attempt is over without money: the order is     |
| checkout.session.expired               | cancelled, its stock back                           |
| refund.created, refund.updated,        | a refund (the shop's own, or one made in Stripe's   |
| refund.failed                          | dashboard) is recorded; `pending` counts as given   |
|                                        | back until Stripe says it arrived (`succeeded`) or  |
|                                        | bounced (`failed`/`canceled` after it was accepted: |
|                                        | owed again, shown to staff)                         |

Anything else is acknowledged and ignored. A charge that lands on an attempt the shop had
already closed (which voiding makes impossible, but a provider is another system) is recorded
and refunded.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from shop.core.errors import InvalidInput

from ..models import MoneyInFlight, Order, OrderStatus, Payment, ProviderEvent, Refund
from ..settlement import (
    _refund_orphan,
    charge_captured,
    charge_not_charged,
    refund_arrived,
    refund_bounced,
    refund_record,
    refund_settled,
)
from ..state import order_move
from . import REFUND_ARRIVED, REFUND_BOUNCED, REFUND_PENDING
from .stripe_gateway import from_minor, refund_status_of

logger = logging.getLogger("shop.orders.stripe")


class BadSignature(InvalidInput):
    code = "bad_signature"
    status = 400
    message = "The signature of this webhook is not valid."


def stripe_event_receive(*, payload: bytes, signature: str | None) -> str:
    """Verifies and applies one webhook delivery. Returns what was done (for the log).
    Raises BadSignature (400: nothing changed)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise BadSignature("This shop takes no Stripe webhooks.")
    try:
        event = stripe.Webhook.construct_event(payload.decode("utf-8"), signature, secret)
    except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError):
        raise BadSignature() from None
    event = event.to_dict()
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProviderEvent.objects.create(provider="stripe", event_id=event["id"][:100],
                                             type=str(event["type"])[:60])
        except IntegrityError:
            return "duplicate"
        return _apply(event["type"], event["data"]["object"])


def _payment_of(obj: dict[str, Any]) -> Payment | None:
    attempt = (obj.get("metadata") or {}).get("attempt")
    if attempt:
        payment = Payment.objects.filter(gateway="stripe", idempotency_key=attempt).first()
        if payment is not None:
            return payment
    return Payment.objects.filter(gateway="stripe", provider_id=obj.get("id") or "-").first()


def _apply(kind: str, obj: dict[str, Any]) -> str:
    if kind == "payment_intent.succeeded":
        return _captured(_payment_of(obj), reference=obj["id"])
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if obj.get("payment_status") != "paid":
            return "not paid yet"
        return _captured(_payment_of(obj), reference=str(obj.get("payment_intent") or ""))
    if kind in ("payment_intent.canceled", "checkout.session.expired"):
        payment = _payment_of(obj)
        if payment is None or payment.status != Payment.Status.CHARGING:
            return "nothing in flight"
        charge_not_charged(payment=payment, status=Payment.Status.FAILED)
        return "not charged"
    if kind in ("refund.created", "refund.updated", "refund.failed"):
        return _refund(obj)
    return "ignored"


def _captured(payment: Payment | None, *, reference: str) -> str:
    if payment is None or not reference:
        logger.warning("stripe charge for no payment of this shop")
        return "unknown payment"
    if payment.status == Payment.Status.CHARGING:
        charge_captured(payment=payment, reference=reference)
        return "paid"
    if payment.status in (Payment.Status.FAILED, Payment.Status.DECLINED):
        # money for an attempt the shop had closed: record it, and give it back
        changed = Payment.objects.filter(pk=payment.pk, status=payment.status).update(
            status=Payment.Status.CAPTURED, reference=reference)
        if changed:
            logger.critical("a charge landed on a closed attempt; refunding it",
                            extra={"payment": payment.pk})
            _refund_orphan(order=Order.objects.get(pk=payment.order_id),
                           payment_id=payment.pk, amount=payment.amount,
                           currency=payment.currency)
        return "late charge refunded"
    return "already settled"


def _refund(obj: dict[str, Any]) -> str:
    attempt = (obj.get("metadata") or {}).get("attempt")
    refund = Refund.objects.filter(idempotency_key=attempt).first() if attempt else None
    if refund is None:
        refund = Refund.objects.filter(reference=obj["id"]).first()
    status = refund_status_of(obj)
    if refund is not None:
        if status == REFUND_BOUNCED:
            if refund.status == Refund.Status.REFUNDING:
                return "refund not made"  # the shop's own call hears the refusal
            return ("refund bounced" if refund_bounced(refund=refund,
                                                      why=str(obj.get("failure_reason") or ""))
                    else "refund already settled")
        if refund.status == Refund.Status.REFUNDING:
            refund_settled(refund=refund, reference=obj["id"], pending=status == REFUND_PENDING)
            return "refund settled"
        if status == REFUND_ARRIVED and refund_arrived(refund=refund):
            return "refund arrived"
        return "refund already settled"
    if status == REFUND_BOUNCED:
        return "refund not made"
    # a refund made outside the shop (Stripe's dashboard): every movement of money is a row
    payment = Payment.objects.filter(gateway="stripe",
                                     reference=str(obj.get("payment_intent") or "-")).first()
    if payment is None:
        return "refund for no payment of this shop"
    order = Order.objects.get(pk=payment.order_id)
    amount = from_minor(obj["amount"], obj["currency"])
    if not order_move(order=order, expected=[OrderStatus.PAID, OrderStatus.FULFILLED],
                      in_flight_to=MoneyInFlight.REFUND):
        # busy with one of our own: let Stripe deliver it again later
        raise RuntimeError("order busy; the provider retries the webhook")
    refund = refund_record(order=order, payment=payment, amount=amount,
                           reason="refunded at the payment provider", actor_id=None)
    refund_settled(refund=refund, reference=obj["id"], pending=status == REFUND_PENDING)
    return "outside refund recorded"
