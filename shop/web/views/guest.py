"""Storefront guest checkout, the guest order page and the claim of guest orders.

- `checkout_guest`: the cart's "Check out as guest": an e-mail address, kept in the checkout
  state; the steps of checkout.py then serve the guest like a shopper (address, delivery,
  payment, review), and placing goes to `guest_place` (shop/orders/guest.py: the shopper's
  checkout code with the guest cart's items).
- `guest_checkout_complete`: the confirmation, shown once to the browser that placed the
  order, with its order token (the session remembers the number only, until this page).
- `guest_order`: the order page. The number and the token are POSTed (a form, or the e-mailed
  link's fragment, which the page's script reads and posts): never in a URL. A wrong token is
  the same 404 as a missing order. Private, no-store, like every page here.
- `guest_claim_send` / `guest_claim`: a signed-in shopper asks for a link by e-mail, and only
  that link (signed for the account and its address, one day) moves the address's guest
  orders into the account.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.accounts.errors import Throttled
from shop.accounts.services import site_base_url
from shop.accounts.throttle import throttle_check
from shop.cart.selectors import cart_for
from shop.cart.services import cart_clear, cart_summary
from shop.core.addresses import COUNTRIES, ShippingAddress
from shop.core.errors import InvalidInput, NotFound, ShopError
from shop.orders.guest import (
    claim_link_send,
    claim_token_valid,
    claimable_numbers,
    email_clean,
    guest_orders_claim,
    guest_place_order,
    order_token,
)
from shop.orders.models import GuestOrder
from shop.orders.payments import CardToken, PaymentDeclined
from shop.policy.access import access_guest_order

from ..forms_checkout import GuestEmailForm, GuestOrderForm
from .accounts import signin_required, throttled_page
from .checkout import CHECKOUT_KEY, _save, _state, placing_failed

GUEST_PLACED_KEY = "bfm_guest_placed"


@require_http_methods(["GET", "POST"])
def checkout_guest(request: HttpRequest) -> HttpResponse:
    if request.principal.is_authenticated:
        return redirect("web:checkout")
    summary = cart_summary(cart=cart_for(viewer=request.principal, session=request.session))
    if summary.is_empty:
        messages.info(request, "Your cart is empty: add something before checking out.")
        return redirect("web:cart")
    state = _state(request)
    form = GuestEmailForm(request.POST or None, initial={"email": state.get("guest_email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            email = email_clean(form.cleaned_data["email"])
        except InvalidInput as error:
            form.add_error("email", error.message)
        else:
            _save(request, {**state, "guest_email": email})
            return redirect("web:checkout_address")
    return render(request, "web/checkout/guest.html", {"form": form, "summary": summary})


def guest_place(request: HttpRequest, state: dict, summary) -> HttpResponse:
    """checkout_place for a guest: the review's cart, placed as a guest order."""
    email = state["guest_email"]
    try:
        throttle_check(request=request, scope="guest_checkout", account=email)
    except Throttled as error:
        return throttled_page(request, error)
    if state["card"].get("hosted"):
        messages.error(request, "Sign in to pay on our payment provider's page.")
        return redirect("web:cart")
    cart = cart_for(viewer=request.principal, session=request.session)
    try:
        placed = guest_place_order(
            email=email, items=[(line.sku, line.quantity) for line in summary.lines],
            address=ShippingAddress.clean(**state["address"]),
            shipping_method_code=state["shipping_method"],
            card=CardToken.from_dict(state["card"]), site_url=site_base_url(request),
            idempotency_key=state["key"], cart_id=cart.pk if cart is not None else None,
        )
    except PaymentDeclined as error:
        _save(request, {k: v for k, v in state.items() if k not in ("card", "key")})
        messages.error(request, error.message)
        return redirect("web:checkout_payment")
    except ShopError as error:
        return placing_failed(request, error)
    if cart is not None:
        cart_clear(cart=cart)
    request.session.pop(CHECKOUT_KEY, None)
    request.session[GUEST_PLACED_KEY] = placed.placed.order.number
    return redirect("web:guest_checkout_complete")


@require_GET
def guest_checkout_complete(request: HttpRequest) -> HttpResponse:
    """The confirmation with the order token, once: the session forgets the order here."""
    number = request.session.pop(GUEST_PLACED_KEY, None)
    nonce = (GuestOrder.objects.filter(order__number=number, claimed_at=None)
             .values_list("nonce", flat=True).first()) if isinstance(number, str) else None
    if nonce is None:
        return redirect("web:guest_order")
    token = order_token(number=number, nonce=nonce)
    order = access_guest_order(viewer=request.principal, number=number, token=token)
    return render(request, "web/checkout/guest_complete.html", {
        **_order_context(order), "token": token, "form": GuestOrderForm(),
    })


def _order_context(order) -> dict:
    return {"order": order, "lines": list(order.lines.all()),
            "events": list(order.events.all()),
            "country_name": COUNTRIES.get(order.ship_country, order.ship_country)}


@require_http_methods(["GET", "POST"])
def guest_order(request: HttpRequest) -> HttpResponse:
    """GET: the form (and the script that posts an e-mailed link's fragment). POST: the
    order, or the one 404 for a wrong token, a missing order and a malformed form alike."""
    if request.method == "GET":
        return render(request, "web/orders/guest_lookup.html", {"form": GuestOrderForm()})
    try:
        throttle_check(request=request, scope="guest_order")
    except Throttled as error:
        return throttled_page(request, error)
    form = GuestOrderForm(request.POST)
    try:
        if not form.is_valid():
            raise NotFound()
        order = access_guest_order(
            viewer=request.principal, number=form.cleaned_data["number"].strip().upper(),
            token=form.cleaned_data["token"].strip(),
        )
    except NotFound:
        return render(request, "web/orders/guest_lookup.html",
                      {"form": GuestOrderForm(), "not_found": True}, status=404)
    return render(request, "web/orders/guest_detail.html", _order_context(order))


@signin_required
@require_POST
def guest_claim_send(request: HttpRequest) -> HttpResponse:
    user = request.principal.user
    try:
        throttle_check(request=request, scope="guest_claim", account=str(user.pk))
    except Throttled as error:
        return throttled_page(request, error)
    claim_link_send(user=user, base_url=site_base_url(request))
    messages.info(request, f"We have e-mailed a link to {user.email}. Open it while you are "
                           "signed in to add your guest orders to your account.")
    return redirect("web:order_list")


@signin_required
@require_http_methods(["GET", "POST"])
def guest_claim(request: HttpRequest) -> HttpResponse:
    """The e-mailed link (GET: confirm) and its confirmation (POST: the orders move)."""
    user = request.principal.user
    token = request.POST.get("t", "") if request.method == "POST" else request.GET.get("t", "")
    if request.method == "POST":
        moved = guest_orders_claim(user=user, token=token)
        if moved:
            messages.success(request, f"{moved} order{'s' if moved != 1 else ''} added to "
                                      "your account.")
        else:
            messages.error(request, "This link is not valid any more. Ask for a new one.")
        return redirect("web:order_list")
    valid = claim_token_valid(user=user, token=token)
    return render(request, "web/orders/guest_claim.html", {
        "token": token if valid else "", "valid": valid,
        "count": len(claimable_numbers(user=user)) if valid else 0,
    }, status=200 if valid else 400)
