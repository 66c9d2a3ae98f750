"""What the checkout pages share: the answers of the steps, kept in the session, and where a
placement that failed sends the shopper.

The steps (checkout.py, checkout_address.py), the guest's checkout (guest.py: the e-mail
address it starts with, its placing and its return from the provider's page) and the prices
shown on the way (money.py) all read and write the same session state; it lives here, below
all of them, so none of those views imports another to reach it. The card never gets in:
only the gateway's token, the brand and the last four digits (checkout.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from shop.core.errors import Conflict, InvalidInput, ShopError
from shop.discounts.services import DiscountInvalid

CHECKOUT_KEY = "bfm_checkout"


def checkout_state(request: HttpRequest) -> dict:
    state = request.session.get(CHECKOUT_KEY)
    return state if isinstance(state, dict) else {}


def checkout_state_save(request: HttpRequest, state: dict) -> None:
    request.session[CHECKOUT_KEY] = state


def checkout_state_clear(request: HttpRequest) -> None:
    """The checkout is over (the order is placed, or paid): its answers go."""
    request.session.pop(CHECKOUT_KEY, None)


def checkout_card_forget(request: HttpRequest, state: dict) -> None:
    """Keeps the answers but the card and its Idempotency-Key: a declined card, or a payment
    page left, is paid again from the payment step, as a new attempt."""
    checkout_state_save(request, {k: v for k, v in state.items() if k not in ("card", "key")})


def placing_failed(request: HttpRequest, error: ShopError) -> HttpResponse:
    """Where placing an order that failed sends the shopper (or the guest), with the reason:
    the cart when stock, the cart or the discount code changed; the delivery step when the
    address or the shipping method no longer holds; the review page otherwise."""
    messages.error(request, error.message)
    if isinstance(error, (Conflict, DiscountInvalid)):
        return redirect("web:cart")
    if isinstance(error, InvalidInput):
        return redirect("web:checkout_shipping")
    return redirect("web:checkout_review")
