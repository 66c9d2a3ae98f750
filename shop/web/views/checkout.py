"""Storefront checkout: address -> shipping method -> payment -> review -> place order.

All private, no-store (shop/policy/cache.py), for signed-in shoppers (a guest signs in first and
their cart comes along). The steps' answers are kept in the session (checkout_state.py); each step
checks that the steps before it are done and sends the shopper back to the first one that is
not, so no step can be skipped. The card never reaches the session: the payment step hands it
to the gateway's tokenize() and keeps only the token, the brand and the last four digits.

Placing the order sends an Idempotency-Key made at the payment step, so a double click or a
resubmitted form places one order. The cart's fingerprint, shown on the review page, must
still match when the order is placed: if the cart changed meanwhile, the shopper reviews again.

With a provider whose own page takes the card (Stripe: `gateway().hosted`), the payment step
has no card form at all: placing the order sends the shopper to the provider's page, which
sends them back to `checkout_paid` (the payment is recorded, if the webhook has not done it
first) or `checkout_cancelled` (the page is closed at the provider, the order released, the
cart as it was). Those two links carry a signed token naming the order and the shopper, so
no other page can trigger them.
"""

import secrets
from functools import wraps

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.cart.selectors import cart_for
from shop.cart.services import cart_summary
from shop.core.addresses import SHIPPING_COUNTRIES, ShippingAddress
from shop.core.errors import InvalidInput, ShopError
from shop.orders.hosted import (
    checkout_hosted_cancel,
    checkout_hosted_return,
    checkout_start_hosted,
)
from shop.orders.models import OrderStatus
from shop.orders.payments import CardDetails, CardToken, PaymentDeclined, gateway
from shop.orders.pricing import free_shipping_threshold, shipping_price
from shop.orders.services import checkout_place_order
from shop.policy.access import access_order
from shop.shipping.selectors import shipping_method_get, shipping_method_list

from ..forms_checkout import PaymentForm, ShippingForm
from .accounts import signin_required
from .checkout_state import (
    checkout_card_forget,
    checkout_state,
    checkout_state_clear,
    checkout_state_save,
    placing_failed,
)
from .guest import guest_place
from .money import quote_for

LAST_ORDER_KEY = "bfm_checkout_last_order"
STEPS = ("address", "shipping", "payment", "review")
STEP_LABELS = {"address": "Address", "shipping": "Delivery", "payment": "Payment",
               "review": "Review"}
RETURN_SALT = "shop.web.checkout.return"
RETURN_MAX_AGE = 6 * 60 * 60


def shopper_required(view):
    """A signed-in shopper, or a guest who gave an e-mail address on the guest checkout page
    (shop/web/views/guest.py); anyone else is sent to sign in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.principal.is_authenticated or checkout_state(request).get("guest_email"):
            return view(request, *args, **kwargs)
        return signin_required(view)(request, *args, **kwargs)

    return wrapper


def _missing_step(state: dict, before: str) -> str | None:
    """The first step before `before` that is not done, or None."""
    for step in STEPS[: STEPS.index(before)]:
        if step == "address" and not isinstance(state.get("address"), dict):
            return step
        if step == "shipping" and not state.get("shipping_method"):
            return step
        if step == "payment" and not (isinstance(state.get("card"), dict) and state.get("key")):
            return step
    return None


def _cart(request: HttpRequest):
    return cart_for(viewer=request.principal, session=request.session)


def _summary(request: HttpRequest):
    return cart_summary(cart=_cart(request))


def _guard(request: HttpRequest, step: str):
    """(state, summary, None) when `step` may be shown, else (.., .., a redirect)."""
    summary = _summary(request)
    if summary.is_empty:
        for notice in summary.notices:
            messages.info(request, notice)
        messages.info(request, "Your cart is empty: add something before checking out.")
        return None, summary, redirect("web:cart")
    state = checkout_state(request)
    missing = _missing_step(state, step)
    if missing is not None:
        return state, summary, redirect(f"web:checkout_{missing}")
    return state, summary, None


def _page_totals(request, summary, state: dict, step: str):
    """The quote a step shows: with the delivery once it is chosen (shop/orders/pricing.py)."""
    chosen = state.get("shipping_method") and STEPS.index(step) > STEPS.index("shipping")
    return quote_for(request, cart=_cart(request), summary=summary,
                     method_code=state.get("shipping_method") if chosen else None,
                     use_chosen_method=False)


def _page(request, template: str, step: str, summary, state: dict, **context):
    chosen = state.get("shipping_method") and STEPS.index(step) > STEPS.index("shipping")
    totals = _page_totals(request, summary, state, step)
    context = {
        "step": step,
        "steps": [(name, STEP_LABELS[name]) for name in STEPS],
        "step_index": STEPS.index(step),
        "summary": summary,
        "totals": totals,
        "shipping_pending": not chosen,
        "state": state,
        "country_name": SHIPPING_COUNTRIES.get((state.get("address") or {}).get("country", "")),
        **context,
    }
    return render(request, template, context)


@signin_required
@require_GET
def checkout_start(request: HttpRequest) -> HttpResponse:
    _, _, blocked = _guard(request, "review")
    return blocked or redirect("web:checkout_review")


@shopper_required
@require_http_methods(["GET", "POST"])
def checkout_shipping(request: HttpRequest) -> HttpResponse:
    state, summary, blocked = _guard(request, "shipping")
    if blocked:
        return blocked
    priced = quote_for(request, cart=_cart(request), summary=summary, use_chosen_method=False)
    methods = [  # free standard delivery counts the subtotal after the discount
        (method, shipping_price(method=method, subtotal=priced.subtotal - priced.discount))
        for method in shipping_method_list()
    ]
    error = None
    if request.method == "POST":
        form = ShippingForm(request.POST)
        if form.is_valid() and any(m.code == form.cleaned_data["shipping_method"]
                                   for m, _ in methods):
            checkout_state_save(
                request, {**state, "shipping_method": form.cleaned_data["shipping_method"]})
            return redirect("web:checkout_payment")
        error = "Choose how we should deliver your order."
    chosen = state.get("shipping_method") or "standard"
    return _page(request, "web/checkout/shipping.html", "shipping", summary, state,
                 methods=methods, chosen=chosen, error=error,
                 free_over=free_shipping_threshold())


@shopper_required
@require_http_methods(["GET", "POST"])
def checkout_payment(request: HttpRequest) -> HttpResponse:
    state, summary, blocked = _guard(request, "payment")
    if blocked:
        return blocked
    if gateway().hosted:  # the provider's page takes the card: no card form here at all
        if request.method == "POST":
            checkout_state_save(
                request, {**state, "card": {"hosted": True}, "key": secrets.token_urlsafe(24)})
            return redirect("web:checkout_review")
        return _page(request, "web/checkout/payment.html", "payment", summary, state,
                     hosted=True)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            card = gateway().tokenize(card=CardDetails(
                number=data["card_number"], exp_month=data["exp_month"],
                exp_year=data["exp_year"], cvc=data["cvc"],
            ))
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            # A new attempt, a new key: retries of *this* attempt place one order.
            checkout_state_save(
                request, {**state, "card": card.as_dict(), "key": secrets.token_urlsafe(24)})
            return redirect("web:checkout_review")
    if form.is_bound:  # never render the card number or the code back into the page
        form.data = form.data.copy()
        for field in ("card_number", "cvc"):
            form.data[field] = ""  # type: ignore[index]
    return _page(request, "web/checkout/payment.html", "payment", summary, state, form=form)


@shopper_required
@require_GET
def checkout_review(request: HttpRequest) -> HttpResponse:
    state, summary, blocked = _guard(request, "review")
    if blocked:
        return blocked
    for notice in summary.notices:
        messages.info(request, notice)
    return _page(request, "web/checkout/review.html", "review", summary, state,
                 shipping_name=_method_name(state.get("shipping_method")))


def _method_name(code: str | None) -> str:
    try:
        return shipping_method_get(code=code or "").name
    except InvalidInput:
        return ""


@shopper_required
@require_POST
def checkout_place(request: HttpRequest) -> HttpResponse:
    last = request.session.get(LAST_ORDER_KEY)
    if not checkout_state(request) and isinstance(last, str):  # resubmitted after success
        return redirect("web:checkout_complete", number=last)
    state, summary, blocked = _guard(request, "review")
    if blocked:
        return blocked
    reviewed_total = request.POST.get("reviewed_total")  # the code or destination changed?
    if request.POST.get("cart") != summary.fingerprint or (reviewed_total is not None and (
            reviewed_total != str(_page_totals(request, summary, state, "review").total))):
        messages.info(request, "Your cart changed since you reviewed it. Please check it again.")
        return redirect("web:checkout_review")
    if not request.principal.is_authenticated:
        return guest_place(request, state, summary)
    if state["card"].get("hosted"):
        return _place_hosted(request, state)
    try:
        placed = checkout_place_order(
            principal=request.principal,
            address=ShippingAddress.clean(**state["address"]),
            shipping_method_code=state["shipping_method"],
            card=CardToken.from_dict(state["card"]),
            idempotency_key=state["key"],
        )
    except PaymentDeclined as error:
        checkout_card_forget(request, state)
        messages.error(request, error.message)
        return redirect("web:checkout_payment")
    except ShopError as error:
        return placing_failed(request, error)
    checkout_state_clear(request)
    request.session[LAST_ORDER_KEY] = placed.order.number
    return redirect("web:checkout_complete", number=placed.order.number)


def _return_token(request: HttpRequest, number: str) -> str:
    return signing.dumps({"n": number, "u": request.principal.user_id}, salt=RETURN_SALT)


def _return_token_valid(request: HttpRequest, number: str) -> bool:
    try:
        data = signing.loads(request.GET.get("t", ""), salt=RETURN_SALT,
                             max_age=RETURN_MAX_AGE)
    except signing.BadSignature:
        return False
    return data == {"n": number, "u": request.principal.user_id}


def _place_hosted(request: HttpRequest, state: dict) -> HttpResponse:
    def return_urls(number: str) -> tuple[str, str]:
        token = _return_token(request, number)

        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name, args=[number])) + f"?t={token}"

        return url("web:checkout_paid"), url("web:checkout_cancelled")

    try:
        started = checkout_start_hosted(
            principal=request.principal,
            address=ShippingAddress.clean(**state["address"]),
            shipping_method_code=state["shipping_method"],
            idempotency_key=state["key"],
            return_urls=return_urls,
        )
    except ShopError as error:
        return placing_failed(request, error)
    if not started.url:  # the same form again: that attempt is under way or done
        if started.order.status == OrderStatus.PENDING_PAYMENT:
            messages.info(request, "Your order is waiting for its payment.")
            return redirect("web:checkout_review")
        return redirect("web:checkout_complete", number=started.order.number)
    return HttpResponseRedirect(started.url)  # the provider's page (CSP form-action allows it)


@signin_required
@require_GET
def checkout_paid(request: HttpRequest, number: str) -> HttpResponse:
    """Back from the provider's page after paying."""
    order = access_order(viewer=request.principal, number=number, with_lines=False)
    if not _return_token_valid(request, number):
        return redirect("web:order_detail", number=number)
    order = checkout_hosted_return(order=order)
    if order.status == OrderStatus.PENDING_PAYMENT:  # the provider has not confirmed yet
        return render(request, "web/checkout/confirming.html", {"order": order})
    if order.status != OrderStatus.PAID:
        messages.error(request, "The payment did not go through; nothing was charged.")
        return redirect("web:cart")
    checkout_state_clear(request)
    request.session[LAST_ORDER_KEY] = order.number
    return redirect("web:checkout_complete", number=order.number)


@signin_required
@require_GET
def checkout_cancelled(request: HttpRequest, number: str) -> HttpResponse:
    """Back from the provider's page without paying: the order is released, the cart as it
    was, and the shopper can pay again."""
    order = access_order(viewer=request.principal, number=number, with_lines=False)
    if not _return_token_valid(request, number):
        return redirect("web:order_detail", number=number)
    order = checkout_hosted_cancel(principal=request.principal, order=order)
    if order.status == OrderStatus.PAID:
        checkout_state_clear(request)
        return redirect("web:checkout_complete", number=order.number)
    checkout_card_forget(request, checkout_state(request))
    messages.info(request, "You left the payment page: nothing was charged and your cart is "
                           "as it was.")
    return redirect("web:checkout_payment")


@signin_required
@require_GET
def checkout_complete(request: HttpRequest, number: str) -> HttpResponse:
    order = access_order(viewer=request.principal, number=number)
    return render(request, "web/checkout/complete.html", {
        "order": order, "lines": list(order.lines.all()),
        "country_name": SHIPPING_COUNTRIES.get(order.ship_country, order.ship_country),
    })
