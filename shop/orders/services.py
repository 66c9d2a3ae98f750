"""Placing an order: checkout, payment, and what happens when payment fails.

The order of events (checkout_place_order), chosen so that no lock is held while the payment
gateway is called and so that nothing is ever oversold:

1. Idempotency-Key (optional): claim it (idempotency.py). A retry returns the first order.
2. Transaction 1, short: lock the shopper's cart row, read its lines, take the stock
   (stock.py: row locks in id order plus one conditional UPDATE), create the order in
   `pending_payment` with its lines copied at the prices read under the lock, empty the cart.
   Any shortfall (409) rolls all of it back. The shipping price and every total are computed
   here from the database; nothing from the request is used as a price.
3. Charge the card through the gateway, outside any transaction, with the order number as
   the gateway's idempotency reference.
4. Declined (402) or gateway down (503): transaction 2 gives the stock back, puts the lines
   back in the cart and deletes the pending order (and its claim). In the end a declined
   checkout leaves no order, no charge and no stock taken.
   Paid: transaction 2 marks the order `paid` and records the payment (brand, last four
   digits and the gateway's reference: never the card number).
5. The confirmation email goes out after the response has been sent (monitoring.context.defer).

If the process dies between 2 and 4, the order stays `pending_payment` with its stock taken;
orders_release_abandoned (the `release_abandoned_orders` command, run from cron) cancels such
orders after ABANDONED_AFTER and gives their stock back.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.accounts.principal import Principal
from shop.cart.models import CartLine
from shop.cart.selectors import cart_for, cart_lines
from shop.core.addresses import ShippingAddress
from shop.core.errors import Conflict, ShopError
from shop.monitoring.context import defer
from shop.shipping.models import ShippingMethod
from shop.shipping.selectors import shipping_method_get

from . import idempotency
from .emails import order_send_confirmation
from .models import IdempotencyKey, Order, OrderLine, OrderStatus, Payment
from .numbers import order_number_new
from .payments import CardToken, PaymentDeclined, PaymentUnavailable, gateway
from .pricing import totals_for
from .stock import stock_return, stock_take

logger = logging.getLogger("shop.orders")

ABANDONED_AFTER = dt.timedelta(minutes=30)

class SignInRequired(ShopError):
    code = "not_authenticated"
    status = 401
    message = "Sign in to check out."


class EmptyCart(Conflict):
    code = "cart_empty"
    message = "Your cart is empty."


class CartChanged(Conflict):
    code = "cart_changed"
    message = "Some items in your cart are no longer available. Please review your cart."


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    replayed: bool = False
    # The order's lines as placed (None on a replay: read them from the order).
    lines: list[OrderLine] | None = None


def _request_facts(address: ShippingAddress, method_code: str, card: CardToken) -> dict:  # type: ignore[type-arg]
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
    if not principal.is_authenticated:
        raise SignInRequired()
    user = principal.user
    key = idempotency.key_validate(idempotency_key)
    method = shipping_method_get(code=shipping_method_code)

    claim: IdempotencyKey | None = None
    if key is not None:
        claimed = idempotency.idempotency_claim(
            user=user,  # type: ignore[arg-type]
            key=key,
            fingerprint=idempotency.fingerprint(_request_facts(address, method.code, card)),
        )
        if isinstance(claimed, Order):
            return PlacedOrder(order=claimed, replayed=True)
        claim = claimed

    try:
        order, lines = _order_create(
            principal=principal, address=address, method=method, claim=claim
        )
    except BaseException:
        if claim is not None:
            idempotency.idempotency_release(claim=claim)
        raise

    try:
        charge = gateway().charge(
            token=card, amount=order.total, currency=order.currency, reference=order.number
        )
    except BaseException as error:
        _order_release(order=order, lines=lines, principal=principal)
        if isinstance(error, PaymentDeclined | PaymentUnavailable):
            raise
        logger.exception("payment gateway failed; order released")
        raise PaymentUnavailable() from None

    _order_mark_paid(order=order, card=card, charge_reference=charge.reference)
    # After the response has been sent (the WSGI server's close()): rendering two templates
    # and talking SMTP were a quarter of the checkout's time in the request. From the order
    # and lines in memory: no query.
    defer(partial(_confirmation_send, order=order, lines=list(lines)))
    return PlacedOrder(order=order, lines=lines)


def _confirmation_send(*, order: Order, lines: list[OrderLine]) -> None:
    try:
        order_send_confirmation(order=order, lines=lines)
    except Exception:  # the order is paid: a mail failure must not turn it into an error
        logger.exception("order confirmation email failed", extra={"order": order.number})


def _order_create(
    *,
    principal: Principal,
    address: ShippingAddress,
    method: ShippingMethod,
    claim: IdempotencyKey | None,
) -> tuple[Order, list[OrderLine]]:
    """Transaction 1. Retried when the random order number is already taken."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _order_create_once(
                    principal=principal, address=address, method=method, claim=claim
                )
        except IntegrityError:
            if attempt == 2:
                raise
            logger.warning("order number collision; retrying")
    raise AssertionError("unreachable")


def _order_lines(lines: list[CartLine], prices: dict[int, Decimal]) -> list[OrderLine]:
    order_lines = []
    for line in lines:
        variant = line.variant
        unit_price = prices[variant.pk]  # type: ignore[union-attr]
        order_lines.append(
            OrderLine(
                variant=variant,
                sku=variant.sku,  # type: ignore[union-attr]
                product_name=variant.product.name,  # type: ignore[union-attr]
                variant_label="" if variant.label == "Standard" else variant.label,  # type: ignore[union-attr]
                unit_price=unit_price,
                quantity=line.quantity,
                line_total=unit_price * line.quantity,
            )
        )
    return order_lines


def _order_create_once(
    *,
    principal: Principal,
    address: ShippingAddress,
    method: ShippingMethod,
    claim: IdempotencyKey | None,
) -> tuple[Order, list[OrderLine]]:
    cart = cart_for(viewer=principal, for_update=True)
    lines = cart_lines(cart=cart) if cart is not None else []
    if not lines:
        raise EmptyCart()
    if any(line.variant is None or not line.variant.product.is_active for line in lines):
        raise CartChanged()
    quantities: dict[int, int] = {}
    names: dict[int, str] = {}
    for line in lines:
        variant = line.variant
        quantities[variant.pk] = quantities.get(variant.pk, 0) + line.quantity  # type: ignore[union-attr]
        label = variant.label  # type: ignore[union-attr]
        names[variant.pk] = (  # type: ignore[union-attr]
            variant.product.name if label == "Standard" else f"{variant.product.name} ({label})"  # type: ignore[union-attr]
        )
    prices = stock_take(quantities=quantities, names=names)
    order_lines = _order_lines(lines, prices)
    totals = totals_for(
        subtotal=sum((line.line_total for line in order_lines), Decimal("0.00")), method=method
    )
    user = principal.user
    order = Order.objects.create(
        number=order_number_new(),
        user=user,
        email=user.email,  # type: ignore[union-attr]
        status=OrderStatus.PENDING_PAYMENT,
        currency=settings.SHOP_CURRENCY,
        subtotal=totals.subtotal,
        shipping_total=totals.shipping,
        total=totals.total,
        item_count=sum(quantities.values()),
        ship_name=address.name,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_city=address.city,
        ship_postal_code=address.postal_code,
        ship_country=address.country,
        shipping_method_code=method.code,
        shipping_method_name=method.name,
    )
    for order_line in order_lines:
        order_line.order = order
    OrderLine.objects.bulk_create(order_lines)
    if claim is not None:
        IdempotencyKey.objects.filter(pk=claim.pk).update(order=order)
    CartLine.objects.filter(cart=cart).delete()
    return order, order_lines


def _order_release(*, order: Order, lines: list[OrderLine], principal: Principal) -> None:
    """Transaction 2 of a failed payment: stock back, lines back in the cart, order gone."""
    quantities: dict[int, int] = {}
    for line in lines:
        if line.variant_id is not None:
            quantities[line.variant_id] = quantities.get(line.variant_id, 0) + line.quantity
    with transaction.atomic():
        stock_return(quantities=quantities)
        cart = cart_for(viewer=principal, for_update=True)
        if cart is not None and quantities:
            CartLine.objects.bulk_create(
                [
                    CartLine(cart=cart, variant_id=line.variant_id, sku=line.sku,
                             name=line.product_name, quantity=line.quantity)
                    for line in lines
                    if line.variant_id is not None
                ],
                update_conflicts=True,
                unique_fields=["cart", "variant"],
                update_fields=["quantity"],
            )
        Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING_PAYMENT).delete()


def _order_mark_paid(*, order: Order, card: CardToken, charge_reference: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING_PAYMENT).update(
            status=OrderStatus.PAID, paid_at=now, payment_brand=card.brand,
            payment_last4=card.last4,
        )
        if updated != 1:
            logger.error("paid order was no longer pending", extra={"order": order.number})
        Payment.objects.create(
            order=order,
            gateway=gateway().name,
            reference=charge_reference,
            amount=order.total,
            currency=order.currency,
            brand=card.brand,
            last4=card.last4,
        )
    if updated != 1:  # the answer (built from this instance) shows what the database holds
        order.refresh_from_db()
        return
    order.status = OrderStatus.PAID
    order.paid_at = now
    order.payment_brand = card.brand
    order.payment_last4 = card.last4


def orders_release_abandoned(*, older_than: dt.timedelta = ABANDONED_AFTER) -> int:
    """Cancels orders stuck in `pending_payment` (their request died before the payment's
    answer was recorded) and gives their stock back. Returns how many."""
    cutoff = timezone.now() - older_than
    released = 0
    stale = list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, created_at__lt=cutoff)
        .values_list("pk", flat=True)[:500]
    )
    for pk in stale:
        with transaction.atomic():
            cancelled = Order.objects.filter(
                pk=pk, status=OrderStatus.PENDING_PAYMENT
            ).update(status=OrderStatus.CANCELLED)
            if not cancelled:
                continue
            quantities: dict[int, int] = {}
            for variant_id, quantity in OrderLine.objects.filter(
                order_id=pk, variant__isnull=False
            ).values_list("variant_id", "quantity"):
                quantities[variant_id] = quantities.get(variant_id, 0) + quantity
            stock_return(quantities=quantities)
            released += 1
    return released
