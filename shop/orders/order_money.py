"""An order's discount and tax at checkout: the one call checkout makes to price the order it
is creating (shop/orders/pricing.py `quote`), to copy the amounts onto the order and its lines,
and to count the discount code's use; and the use given back when the order dies unpaid.

Runs inside the order's transaction (services._order_create_once), after the variants are
locked: the code's row is the last lock taken (user -> cart -> order -> variants -> code).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shop.discounts.models import DiscountCode
from shop.discounts.services import (
    DiscountInvalid,
    cart_discount_get,
    cart_discount_remove,
    cart_discount_set,
    discount_find,
    discount_redeem,
    discount_release,
)
from shop.shipping.models import ShippingMethod

from .models import Order, OrderLine
from .pricing import Quote, destination_of, quote


def order_price(
    *, lines: Sequence[OrderLine], address: Any, method: ShippingMethod,
    cart_id: int | None = None, code_text: str | None = None, user_id: int | None = None,
    email: str = "",
) -> Quote:
    """Prices the order's lines for the address and delivery, with the cart's code (or
    `code_text`, for a checkout without a cart), and sets each line's discount and tax.
    DiscountInvalid (422) when the code no longer applies: the shopper must see the new
    price before paying it."""
    code: DiscountCode | None = (discount_find(text=code_text) if code_text
                                 else cart_discount_get(cart_id=cart_id))
    priced = quote(line_totals=[line.line_total for line in lines], method=method,
                   destination=destination_of(address), code=code, user_id=user_id,
                   email=email)
    if priced.discount_problem:
        raise DiscountInvalid(priced.discount_problem)
    for line, discount, tax in zip(lines, priced.priced.line_discounts,
                                   priced.priced.line_taxes, strict=True):
        line.discount, line.tax = discount, tax
    return priced


def order_money_fields(priced: Quote) -> dict[str, Any]:
    """The Order columns of a quote."""
    p = priced.priced
    return {
        "subtotal": p.subtotal, "shipping_total": p.shipping, "total": p.total,
        "discount_code": priced.discount_code or "", "discount_total": p.discount,
        "tax_total": p.tax, "tax_included": p.tax_included, "tax_rate": p.tax_rate,
        "shipping_tax": p.shipping_tax,
    }


def order_discount_redeem(*, order: Order, priced: Quote, cart_id: int | None) -> None:
    """Counts the code's use for the order (DiscountInvalid when its last use just went to
    another order: the caller's transaction rolls back) and takes it off the cart. No code
    (the cart had none when it was priced): nothing to count or take off."""
    if not priced.discount_code:
        return
    code = DiscountCode.objects.get(code=priced.discount_code)
    discount_redeem(code=code, order_id=order.pk, amount=priced.discount,
                    user_id=order.user_id, email=order.email)
    cart_discount_remove(cart_id=cart_id)


def order_discount_release(*, order: Order, back_to_cart_id: int | None = None) -> None:
    """The order died unpaid: its code's use goes back (once), and the code back on the
    shopper's cart when their lines go back there."""
    text = discount_release(order_id=order.pk)
    if text and back_to_cart_id is not None:
        code = DiscountCode.objects.filter(code=text).first()
        if code is not None:
            cart_discount_set(cart_id=back_to_cart_id, code=code)

