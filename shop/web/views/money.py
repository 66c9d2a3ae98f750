"""The storefront's money: the cart priced as checkout will price it (shop.orders.pricing
.cart_quote: the cart's discount code, the delivery and address chosen in checkout, else
standard delivery to the default saved address or the shop's home country)."""

from __future__ import annotations

from django.http import HttpRequest

from shop.cart.models import Cart
from shop.cart.selectors import CartSummary
from shop.orders.pricing import Quote, cart_quote

from .checkout_state import checkout_state


def quote_for(request: HttpRequest, *, cart: Cart | None, summary: CartSummary,
              method_code: str | None = None, use_chosen_method: bool = True) -> Quote:
    state = checkout_state(request)
    address = state.get("address") if isinstance(state.get("address"), dict) else None
    if method_code is None and use_chosen_method:
        method_code = state.get("shipping_method") or None
    guest_email = state.get("guest_email")  # a guest's address (per-customer code limits)
    return cart_quote(principal=request.principal, cart_id=cart.pk if cart else None,
                      line_totals=[line.line_total for line in summary.lines],
                      chosen_address=address, method_code=method_code,
                      guest_email=guest_email if isinstance(guest_email, str) else "")
