"""Placing an order: checkout and its payment.

The order of events (checkout_place_order), chosen so that no lock is held while the payment
provider is called, nothing is ever oversold, and no money moves without a row that says so:

1. Idempotency-Key (optional): checked and fingerprinted (idempotency.py).
2. Transaction 1, short, in the lock order of shop/orders/stock.py (shop/orders/recording.py):
   lock the shopper's user row (an erasure waits, or this checkout finds the account gone)
   and cart row, read the lines, take the stock (one conditional UPDATE ... RETURNING per
   variant, in id order; from three variants on, a locking SELECT plus one UPDATE), create
   the order in `pending_payment` with its charge in flight, its lines at the prices read
   under the lock, its "placed" event and the Payment row (`charging`, with the idempotency
   key the provider will get), claim the Idempotency-Key with the order (the last lock), and
   empty the cart. Any shortfall (409) rolls all of it back. The shipping price and every
   total are computed here; nothing from the request is a price. A retry with the key
   (racing or not) finds it taken, or the cart emptied, and answers the first order once
   settled (_order_create_or_replay).
3. Charge through the gateway, outside any transaction, with the payment's key.
4. Settle (shop/orders/settlement.py): captured -> the order is paid and its confirmation
   e-mail queued, in one transaction. Declined (402) or provider unreachable (503): the order
   is removed, its stock back, its lines back in the cart. No answer at all: the provider is
   asked again by the key (and the attempt voided if it never arrived) before anything is
   said; if it still cannot tell, the order stays in flight and the reconciliation job
   settles it.

If the process dies anywhere after 2, the Payment row says `charging`: the reconciliation job
(`reconcile_payments`, `release_abandoned_orders`) asks the provider by the key and records
what happened (paid, or cancelled with its stock back).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from shop.accounts.models import User
from shop.accounts.principal import Principal
from shop.cart.models import CartLine
from shop.cart.selectors import cart_for, cart_lines
from shop.core.addresses import ShippingAddress
from shop.core.errors import ShopError
from shop.core.faults import fault_point
from shop.shipping.models import ShippingMethod
from shop.shipping.selectors import shipping_method_get

from . import idempotency
from .models import IdempotencyKey, Order, OrderLine, OrderStatus, Payment
from .payments import (
    CardToken,
    PaymentDeclined,
    PaymentGateway,
    PaymentUnavailable,
    PaymentUncertain,
    gateway,
)
from .recording import CreatedOrder, order_create_retrying, order_record
from .settlement import (
    charge_captured,
    charge_not_charged,
    charge_settle,
    payment_provider_id_set,
)

logger = logging.getLogger("shop.orders")


class SignInRequired(ShopError):
    code = "not_authenticated"
    status = 401
    message = "Sign in to check out."


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    replayed: bool = False
    # The order's lines as placed (None on a replay: read them from the order).
    lines: list[OrderLine] | None = None


def request_facts(address: ShippingAddress, method_code: str, card: CardToken
                   ) -> dict[str, Any]:
    return {
        "address": address.as_dict(),
        "shipping_method": method_code,
        "card": [card.brand, card.last4, card.exp_month, card.exp_year],
    }


def checkout_place_order(
    *,
    principal: Principal,
    address: ShippingAddress,
    shipping_method_code: str,
    card: CardToken,
    idempotency_key: str | None = None,
) -> PlacedOrder:
    """Places the principal's cart as an order and pays for it (see the module docstring).
    Raises EmptyCart/CartChanged/OutOfStock (409), PaymentDeclined (402), InvalidInput
    (unknown shipping method), IdempotencyKeyReused (422)."""
    user = principal.user
    if not principal.is_authenticated or user is None:
        raise SignInRequired()
    key = idempotency.key_validate(idempotency_key)
    method = shipping_method_get(code=shipping_method_code)

    claim = None if key is None else idempotency.KeyClaim(
        user=user, key=key,
        fingerprint=idempotency.fingerprint(request_facts(address, method.code, card)))
    gw = gateway()
    created = _order_create_or_replay(principal=principal, address=address, method=method,
                                      claim=claim, card=card, gateway_name=gw.name)
    if isinstance(created, PlacedOrder):
        return created
    order, lines, payment = created
    fault_point("checkout.recorded")
    return order_pay(gw=gw, order=order, lines=lines, payment=payment, card=card,
                principal=principal)


def _order_create_or_replay(
    *, principal: Principal, address: ShippingAddress, method: ShippingMethod,
    claim: idempotency.KeyClaim | None, card: CardToken, gateway_name: str,
) -> CreatedOrder | PlacedOrder:
    """Transaction 1, which claims the key (if any) with the order: a commit fewer than a
    claim of its own. When the key was taken (a retry, even one racing the first request:
    it waited on the key's unique index for the first transaction), or transaction 1 refused
    (the first request emptied the cart), the earlier order with this key is the answer,
    once settled; a different request with the key is a 422 (IdempotencyKeyReused)."""
    for _attempt in range(3):
        try:
            return _order_create(principal=principal, address=address, method=method,
                                 claim=claim, card=card, gateway_name=gateway_name)
        except (idempotency.KeyTaken, ShopError) as error:
            if claim is None:
                raise
            try:
                earlier = idempotency.idempotency_replay(claim=claim)
            except idempotency.KeyReleased:
                continue  # the first request's order went (declined): place this one
            if earlier is not None:
                return PlacedOrder(order=earlier, replayed=True)
            if not isinstance(error, idempotency.KeyTaken):
                raise
    raise idempotency.IdempotencyInProgress()


def order_pay(*, gw: PaymentGateway, order: Order, lines: list[OrderLine], payment: Payment,
         card: CardToken, principal: Principal) -> PlacedOrder:
    """Steps 3 and 4: the charge, outside any transaction, then its settlement.
    `principal`: whose cart gets the lines back when nothing was charged (ANONYMOUS for a
    guest: the order is removed, nothing goes anywhere)."""
    try:
        charge = gw.charge(
            token=card, amount=payment.amount, currency=payment.currency,
            idempotency_key=payment.idempotency_key, reference=order.number,
            on_provider_id=lambda provider_id: payment_provider_id_set(
                payment=payment, provider_id=provider_id),
        )
    except PaymentDeclined:
        fault_point("checkout.declined")
        charge_not_charged(payment=payment, status=Payment.Status.DECLINED,
                           give_back_to=principal)
        raise
    except PaymentUnavailable:
        charge_not_charged(payment=payment, status=Payment.Status.FAILED,
                           give_back_to=principal)
        raise
    except Exception as error:
        if not isinstance(error, PaymentUncertain):
            logger.exception("payment gateway failed; asking it what happened")
        return _settle_unanswered(payment=payment, principal=principal, lines=lines)

    fault_point("checkout.charged")
    settled = charge_captured(payment=payment, reference=charge.reference, order=order)
    fault_point("checkout.settled")
    return _answer(settled.order, lines)


def _settle_unanswered(*, payment: Payment, principal: Principal,
                       lines: list[OrderLine]) -> PlacedOrder:
    """The provider never answered the charge: ask it by the key (voiding the attempt if it
    never arrived) and answer with what really happened."""
    settled = charge_settle(payment=payment, give_back_to=principal)
    if settled is None:  # it cannot tell yet: the order stays in flight for the job
        raise PaymentUncertain()
    if settled.order.status == OrderStatus.PAID:
        return _answer(settled.order, lines)
    raise PaymentUnavailable()


def _answer(order: Order, lines: list[OrderLine]) -> PlacedOrder:
    if order.status != OrderStatus.PAID:  # settled by someone else first: show what is
        order.refresh_from_db()
    return PlacedOrder(order=order, lines=lines)


def placed_events(placed: PlacedOrder) -> list[dict[str, Any]] | None:
    """The timeline of an order this request just placed and paid (placed, then paid), as
    rows of shop.orders.selectors.EVENT_FIELDS, without reading it back; None otherwise."""
    order = placed.order
    if placed.replayed or order.status != OrderStatus.PAID or order.paid_at is None:
        return None
    return [
        {"order_id": order.pk, "at": order.created_at, "status": OrderStatus.PENDING_PAYMENT,
         "kind": "placed", "amount": None},
        {"order_id": order.pk, "at": order.paid_at, "status": OrderStatus.PAID,
         "kind": "paid", "amount": None},
    ]


def _order_create(
    *,
    principal: Principal,
    address: ShippingAddress,
    method: ShippingMethod,
    claim: IdempotencyKey | idempotency.KeyClaim | None,
    card: CardToken,
    gateway_name: str,
) -> CreatedOrder:
    """Transaction 1 of the shopper's checkout."""
    return order_create_retrying(lambda: _order_create_once(
        principal=principal, address=address, method=method, claim=claim, card=card,
        gateway_name=gateway_name,
    ))


def _order_create_once(
    *,
    principal: Principal,
    address: ShippingAddress,
    method: ShippingMethod,
    claim: IdempotencyKey | idempotency.KeyClaim | None,
    card: CardToken,
    gateway_name: str,
) -> CreatedOrder:
    # the lock order of shop/orders/stock.py: user, cart, (order), variants
    if not User.objects.select_for_update().filter(pk=principal.user_id).exists():
        raise SignInRequired()  # the account was erased a moment ago
    cart = cart_for(viewer=principal, for_update=True)
    lines = cart_lines(cart=cart) if cart is not None else []
    user = principal.user
    created = order_record(
        lines=lines, user=user, email=user.email if user is not None else "",
        address=address, method=method, claim=claim, card=card, gateway_name=gateway_name,
        cart_id=cart.pk if cart is not None else None,
    )
    CartLine.objects.filter(cart=cart).delete()
    return created


