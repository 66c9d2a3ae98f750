"""Transaction 1 of every checkout: recording the order before any money moves.

`order_record` runs inside the transaction that creates the order (the shopper's checkout,
services.py; guest checkout, guest.py; either one's hosted page): it takes the stock, writes
the order in `pending_payment` with its charge in flight, its lines at the prices read under
the lock, its "placed" event and its `charging` Payment, counts the discount code's use and
claims the Idempotency-Key, or raises and the transaction rolls back with nothing taken.
`order_create_retrying` runs it in that transaction (again when the random order number was
taken).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from shop.accounts.models import User
from shop.cart.models import CartLine
from shop.core.addresses import ShippingAddress
from shop.core.errors import Conflict
from shop.shipping.models import ShippingMethod

from . import idempotency
from .models import (
    IdempotencyKey,
    MoneyInFlight,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
)
from .numbers import order_number_new
from .order_money import order_discount_redeem, order_money_fields, order_price
from .payments import CardToken
from .pricing import Quote
from .stock import stock_take

logger = logging.getLogger("shop.orders")

CreatedOrder = tuple[Order, list[OrderLine], Payment]


class EmptyCart(Conflict):
    code = "cart_empty"
    message = "Your cart is empty."


class CartChanged(Conflict):
    code = "cart_changed"
    message = "Some items in your cart are no longer available. Please review your cart."


def order_create_retrying(create: Callable[[], CreatedOrder]) -> CreatedOrder:
    """Runs `create` in a transaction; again when the random order number is already
    taken."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return create()
        except IntegrityError:
            if attempt == 2:
                raise
            logger.warning("order number collision; retrying")
    raise AssertionError("unreachable")


def _order_lines(lines: list[CartLine], prices: dict[int, Decimal]) -> list[OrderLine]:
    order_lines = []
    for line in lines:
        variant = line.variant
        if variant is None:  # refused before the stock was taken (CartChanged)
            raise CartChanged()
        unit_price = prices[variant.pk]
        order_lines.append(
            OrderLine(
                variant=variant,
                sku=variant.sku,
                product_name=variant.product.name,
                variant_label="" if variant.label == "Standard" else variant.label,
                unit_price=unit_price,
                quantity=line.quantity,
                line_total=unit_price * line.quantity,
            )
        )
    return order_lines


def _wanted(lines: list[CartLine]) -> tuple[dict[int, int], dict[int, str]]:
    """Units wanted per variant id, and the names an OutOfStock message would use."""
    quantities: dict[int, int] = {}
    names: dict[int, str] = {}
    for line in lines:
        variant = line.variant
        if variant is None:
            raise CartChanged()
        quantities[variant.pk] = quantities.get(variant.pk, 0) + line.quantity
        label = variant.label
        names[variant.pk] = (
            variant.product.name if label == "Standard" else f"{variant.product.name} ({label})"
        )
    return quantities, names


def _order_new(*, user: User | None, email: str, address: ShippingAddress,
               method: ShippingMethod, priced: Quote, item_count: int) -> Order:
    """The order row: pending payment, its charge in flight, amounts from the server."""
    return Order.objects.create(
        number=order_number_new(),
        user=user,
        email=email,
        status=OrderStatus.PENDING_PAYMENT,
        money_in_flight=MoneyInFlight.CHARGE,
        currency=settings.SHOP_CURRENCY,
        **order_money_fields(priced),
        item_count=item_count,
        ship_name=address.name,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_city=address.city,
        ship_state=address.state,
        ship_postal_code=address.postal_code,
        ship_country=address.country,
        ship_phone=address.phone,
        shipping_method_code=method.code,
        shipping_method_name=method.name,
    )


def order_record(
    *,
    lines: list[CartLine],
    user: User | None,
    email: str,
    address: ShippingAddress,
    method: ShippingMethod,
    claim: IdempotencyKey | idempotency.KeyClaim | None,
    card: CardToken,
    gateway_name: str,
    cart_id: int | None = None,
    discount_code: str | None = None,
) -> CreatedOrder:
    """Inside transaction 1: takes the stock of `lines` (cart lines, or unsaved CartLine
    rows of a guest's items), and writes the order, its lines, its "placed" event and its
    `charging` Payment. Shared by the shopper's checkout and guest checkout
    (shop/orders/guest.py). The discount code is the cart's (`cart_id`) or `discount_code`;
    its use is counted last (shop/orders/order_money.py). `claim`: a key claimed before
    (linked to the order here), or one to claim now, last (KeyTaken when it is taken)."""
    if not lines:
        raise EmptyCart()
    if any(line.variant is None or not line.variant.product.is_active for line in lines):
        raise CartChanged()
    quantities, names = _wanted(lines)
    prices = stock_take(quantities=quantities, names=names)
    order_lines = _order_lines(lines, prices)
    priced = order_price(lines=order_lines, address=address, method=method, cart_id=cart_id,
                         code_text=discount_code, user_id=user.pk if user else None,
                         email=email)
    order = _order_new(user=user, email=email, address=address, method=method, priced=priced,
                       item_count=sum(quantities.values()))
    for order_line in order_lines:
        order_line.order = order
    OrderLine.objects.bulk_create(order_lines)
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.PLACED, status=order.status,
                              at=order.created_at)
    payment = Payment.objects.create(
        order=order, gateway=gateway_name, amount=order.total, currency=order.currency,
        status=Payment.Status.CHARGING, brand=card.brand, last4=card.last4,
    )
    order_discount_redeem(order=order, priced=priced, cart_id=cart_id)
    if isinstance(claim, idempotency.KeyClaim):
        idempotency.key_claim_with(claim=claim, order=order)
    elif claim is not None:
        IdempotencyKey.objects.filter(pk=claim.pk).update(order=order)
    return order, order_lines, payment
