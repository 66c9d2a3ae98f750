"""Checkout on the payment provider's hosted page (Stripe Checkout): the storefront never
sees the card.

The order is created exactly as checkout_place_order does (shop/orders/services.py: the
Idempotency-Key claim, transaction 1 with the order, its lines and its Payment row,
`charging`), then instead of a charge a session is opened on the provider's page and the
shopper is sent there. The order waits, its charge in flight, until one of these settles it:
the shopper's return (checkout_hosted_return: paid), their giving up (checkout_hosted_cancel:
the session is closed at the provider first, then the order released and the cart restored),
the provider's webhook, or the reconciliation job once the provider's session has expired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase

from shop.accounts.principal import Principal
from shop.core.addresses import ShippingAddress
from shop.core.faults import fault_point
from shop.shipping.selectors import shipping_method_get

from . import idempotency
from .models import Order, Payment
from .payments import (
    CardToken,
    HostedPaymentGateway,
    PaymentUnavailable,
    PaymentUncertain,
    hosted_gateway_for,
)
from .services import SignInRequired, _order_create, request_facts
from .settlement import charge_captured, charge_not_charged, payment_provider_id_set

HOSTED_CARD = CardToken(token="", brand="", last4="", exp_month=0, exp_year=0)


@dataclass(frozen=True)
class HostedPayment:
    order: Order
    url: str  # the provider's page the shopper pays on


def checkout_start_hosted(
    *,
    principal: Principal,
    address: ShippingAddress,
    shipping_method_code: str,
    idempotency_key: str,
    return_urls: Callable[[str], tuple[str, str]],
) -> HostedPayment:
    """Steps 1 and 2 of checkout_place_order, then a session on the provider's hosted page
    instead of a charge: the order waits, its charge in flight, while the shopper pays
    there. `return_urls(order number)` gives the (paid, cancelled) URLs the provider sends the
    shopper back to. Settled by checkout_hosted_return / checkout_hosted_cancel, the
    provider's webhook, or the reconciliation job once the session has expired."""
    user = principal.user
    if not principal.is_authenticated or user is None:
        raise SignInRequired()
    gw = hosted_gateway_for()
    key = idempotency.key_validate(idempotency_key) or ""
    method = shipping_method_get(code=shipping_method_code)
    claimed = idempotency.idempotency_claim(
        user=user, key=key,
        fingerprint=idempotency.fingerprint(request_facts(address, method.code, HOSTED_CARD)),
    )
    if isinstance(claimed, Order):  # the form sent again: that attempt is under way, or done
        return HostedPayment(order=claimed, url="")
    try:
        order, _, payment = _order_create(
            principal=principal, address=address, method=method, claim=claimed,
            card=HOSTED_CARD, gateway_name=gw.name,
        )
    except BaseException:
        idempotency.idempotency_release(claim=claimed)
        raise
    fault_point("checkout.recorded")
    return hosted_session_open(gw=gw, order=order, payment=payment, return_urls=return_urls,
                               give_back_to=principal)


def hosted_session_open(
    *,
    gw: HostedPaymentGateway,
    order: Order,
    payment: Payment,
    return_urls: Callable[[str], tuple[str, str]],
    give_back_to: Principal,
) -> HostedPayment:
    """Opens the provider's page for a recorded order's `charging` payment (the shopper's
    checkout and guest checkout alike). Provider down: nothing can have been charged, the
    order goes (its lines back into `give_back_to`'s cart) and PaymentUnavailable."""
    paid_url, cancelled_url = return_urls(order.number)
    try:
        session_id, url = gw.hosted_session(
            amount=payment.amount, currency=payment.currency,
            idempotency_key=payment.idempotency_key, reference=order.number,
            email=order.email, success_url=paid_url, cancel_url=cancelled_url,
        )
    except (PaymentUnavailable, PaymentUncertain):
        charge_not_charged(payment=payment, status=Payment.Status.FAILED,
                           give_back_to=give_back_to)
        raise PaymentUnavailable() from None
    payment_provider_id_set(payment=payment, provider_id=session_id)
    return HostedPayment(order=order, url=url)


def _hosted_payment(order: Order) -> Payment | None:
    return (Payment.objects.filter(order=order, status=Payment.Status.CHARGING)
            .exclude(provider_id="").order_by("-created_at").first())


def checkout_hosted_return(*, order: Order) -> Order:
    """The shopper is back from the provider's page: record the payment if it went through
    (the webhook may have done so already). The order as it now stands."""
    payment = _hosted_payment(order)
    if payment is not None:
        outcome = hosted_gateway_for(payment.gateway).charge_status(
            provider_id=payment.provider_id)
        if outcome is not None and outcome.charged:
            charge_captured(payment=payment, reference=outcome.reference, order=order)
    order.refresh_from_db()
    return order


def checkout_hosted_cancel(*, principal: Principal, order: Order,
                           session: SessionBase | None = None) -> Order:
    """The shopper left the provider's page without paying: the session is closed there
    first (so it can no longer be paid), then the order is released and its lines go back
    into the cart (a guest's: the cart of `session`). If it was paid after all, the order is
    paid."""
    payment = _hosted_payment(order)
    if payment is not None:
        outcome = hosted_gateway_for(payment.gateway).charge_cancel(
            provider_id=payment.provider_id)
        if outcome is not None and outcome.charged:
            charge_captured(payment=payment, reference=outcome.reference, order=order)
        elif outcome is not None:
            charge_not_charged(payment=payment, status=Payment.Status.FAILED,
                               give_back_to=principal, session=session)
    return Order.objects.filter(pk=order.pk).first() or order
