"""Storefront guest checkout, the guest order page and the claim of guest orders.

- `checkout_guest`: the cart's "Check out as guest": an e-mail address, kept in the checkout
  state; the steps of checkout.py then serve the guest like a shopper (address, delivery,
  payment, review), and placing goes to `guest_place` (shop/orders/guest.py: the shopper's
  checkout code with the guest cart's items).
- `guest_checkout_paid` / `guest_checkout_cancelled`: back from the payment provider's hosted
  page. The links carry the order number and a signed reference kept in the session that
  started the checkout, never the order token; that session goes on to the confirmation (or
  its cart back), any other browser gets a page that names nobody ("we have e-mailed you").
- `guest_checkout_complete`: the confirmation, shown once to the browser that placed the
  order, with its order token (the session remembers the number only, until this page).
- `guest_order`: the order page. The number and the token are POSTed (a form, or the e-mailed
  link's fragment, which the page's script reads and posts): never in a URL. A wrong token is
  the same 404 as a missing order. Private, no-store, like every page here.
- `guest_claim_send` / `guest_claim`: a signed-in shopper asks for a link by e-mail, and only
  that link (signed for the account and its address, one day) moves the address's guest
  orders into the account.
"""

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.accounts.errors import Throttled
from shop.accounts.services import site_base_url
from shop.accounts.throttle import throttle_check
from shop.cart.selectors import cart_for
from shop.cart.services import cart_clear, cart_summary
from shop.core.addresses import COUNTRIES, ShippingAddress
from shop.core.errors import InvalidInput, NotFound, ShopError
from shop.discounts.services import cart_discount_get, cart_discount_remove
from shop.orders.guest import (
    claim_link_send,
    claim_token_valid,
    claimable_numbers,
    email_clean,
    guest_orders_claim,
    guest_place_order,
    guest_start_hosted,
)
from shop.orders.guest_tokens import hosted_return_token, order_token
from shop.orders.hosted import checkout_hosted_cancel, checkout_hosted_return
from shop.orders.models import GuestOrder, OrderStatus
from shop.orders.payments import CardToken, PaymentDeclined
from shop.policy.access import access_guest_order, access_guest_order_returning

from ..forms_checkout import GuestEmailForm, GuestOrderForm
from .accounts import signin_required, throttled_page
from .checkout_state import (
    checkout_card_forget,
    checkout_state,
    checkout_state_clear,
    checkout_state_save,
    placing_failed,
)

GUEST_PLACED_KEY = "bfm_guest_placed"
# the guest order waiting on the provider's page: {"number", "ref"} (its return links' ref)
GUEST_HOSTED_KEY = "bfm_guest_hosted"


@require_http_methods(["GET", "POST"])
def checkout_guest(request: HttpRequest) -> HttpResponse:
    if request.principal.is_authenticated:
        return redirect("web:checkout")
    summary = cart_summary(cart=cart_for(viewer=request.principal, session=request.session))
    if summary.is_empty:
        messages.info(request, "Your cart is empty: add something before checking out.")
        return redirect("web:cart")
    state = checkout_state(request)
    form = GuestEmailForm(request.POST or None, initial={"email": state.get("guest_email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            email = email_clean(form.cleaned_data["email"])
        except InvalidInput as error:
            form.add_error("email", error.message)
        else:
            checkout_state_save(request, {**state, "guest_email": email})
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
        return _guest_place_hosted(request, state, summary)
    try:
        placed = guest_place_order(
            email=email, items=[(line.sku, line.quantity) for line in summary.lines],
            address=ShippingAddress.clean(**state["address"]),
            shipping_method_code=state["shipping_method"],
            card=CardToken.from_dict(state["card"]), site_url=site_base_url(request),
            idempotency_key=state["key"], discount_code=_cart_code(request),
        )
    except PaymentDeclined as error:
        checkout_card_forget(request, state)
        messages.error(request, error.message)
        return redirect("web:checkout_payment")
    except ShopError as error:
        return placing_failed(request, error)
    _cart_empty(request)
    checkout_state_clear(request)
    request.session[GUEST_PLACED_KEY] = placed.placed.order.number
    return redirect("web:guest_checkout_complete")


def _cart_code(request: HttpRequest) -> str | None:
    """The discount code on the guest's cart (the review page priced it): a guest order has
    no cart, so it is placed with the code's text, checked again inside the transaction."""
    cart = cart_for(viewer=request.principal, session=request.session)
    code = cart_discount_get(cart_id=cart.pk) if cart is not None else None
    return code.code if code is not None else None


def _cart_empty(request: HttpRequest) -> None:
    """The guest's cart once her order is placed: no lines, no code (as a shopper's)."""
    cart = cart_for(viewer=request.principal, session=request.session)
    if cart is not None:
        cart_clear(cart=cart)
        cart_discount_remove(cart_id=cart.pk)


def _guest_place_hosted(request: HttpRequest, state: dict, summary) -> HttpResponse:
    """The guest's order is recorded, then the guest goes to the provider's page. Its return
    links carry the number and a signed reference that this session keeps, never the order
    token: back in this session, the confirmation shows the token once; elsewhere, a page
    that names nobody."""

    def return_urls(number: str) -> tuple[str, str]:
        ref = secrets.token_urlsafe(16)
        request.session[GUEST_HOSTED_KEY] = {"number": number, "ref": ref}
        token = hosted_return_token(number=number, ref=ref)

        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name, args=[number])) + f"?t={token}"

        return url("web:guest_checkout_paid"), url("web:guest_checkout_cancelled")

    try:
        started = guest_start_hosted(
            email=state["guest_email"],
            items=[(line.sku, line.quantity) for line in summary.lines],
            address=ShippingAddress.clean(**state["address"]),
            shipping_method_code=state["shipping_method"], site_url=site_base_url(request),
            idempotency_key=state["key"], return_urls=return_urls,
            discount_code=_cart_code(request),
        )
    except ShopError as error:
        return placing_failed(request, error)
    if not started.url:  # the same form again: that attempt is under way or done
        if started.order.status == OrderStatus.PENDING_PAYMENT:
            messages.info(request, "Your order is waiting for its payment.")
            return redirect("web:checkout_review")
        return _guest_confirmed(request, started.order.number)
    _cart_empty(request)  # (lines and code come back if the guest leaves the provider's page)
    return HttpResponseRedirect(started.url)  # the provider's page (CSP form-action allows it)


def _guest_returning(request: HttpRequest, number: str):
    """(the order, True when this is the session that started its checkout), or None for a
    link that is not this shop's return link of that order."""
    try:
        order, ref = access_guest_order_returning(number=number,
                                                  link_token=request.GET.get("t", ""))
    except NotFound:
        return None
    return order, request.session.get(GUEST_HOSTED_KEY) == {"number": number, "ref": ref}


def _guest_confirmed(request: HttpRequest, number: str) -> HttpResponse:
    """The guest's order is paid: the confirmation (with the token, once) is next."""
    checkout_state_clear(request)
    request.session.pop(GUEST_HOSTED_KEY, None)
    request.session[GUEST_PLACED_KEY] = number
    return redirect("web:guest_checkout_complete")


def _returned_elsewhere(request: HttpRequest, *, left: bool = False,
                        found: bool = True) -> HttpResponse:
    """The page that names nobody; a 404 for a link that is not this shop's (the same for
    any number, existing or not)."""
    return render(request, "web/checkout/guest_returned.html", {"left": left},
                  status=200 if found else 404)


@require_GET
def guest_checkout_paid(request: HttpRequest, number: str) -> HttpResponse:
    """Back from the provider's page after paying. The payment is recorded (if the webhook
    has not done it first) whoever follows the link; only the session that started the
    checkout goes on to the confirmation with the token."""
    found = _guest_returning(request, number)
    if found is None:
        return _returned_elsewhere(request, found=False)
    order, same_session = found
    order = checkout_hosted_return(order=order)
    if not same_session:
        return _returned_elsewhere(request)
    if order.status == OrderStatus.PENDING_PAYMENT:  # the provider has not confirmed yet
        return render(request, "web/checkout/guest_returned.html", {"confirming": True})
    if order.status != OrderStatus.PAID:
        request.session.pop(GUEST_HOSTED_KEY, None)
        messages.error(request, "The payment did not go through; nothing was charged.")
        return redirect("web:cart")
    return _guest_confirmed(request, order.number)


@require_GET
def guest_checkout_cancelled(request: HttpRequest, number: str) -> HttpResponse:
    """Back from the provider's page without paying, in the session that started it: the
    page is closed at the provider, the order released, the guest's cart as it was. From any
    other browser nothing changes (the provider's page expires and the job releases it)."""
    found = _guest_returning(request, number)
    if found is None or not found[1]:
        return _returned_elsewhere(request, left=True, found=found is not None)
    order = checkout_hosted_cancel(principal=request.principal, order=found[0],
                                   session=request.session)
    if order.status == OrderStatus.PAID:
        return _guest_confirmed(request, order.number)
    request.session.pop(GUEST_HOSTED_KEY, None)
    checkout_card_forget(request, checkout_state(request))
    messages.info(request, "You left the payment page: nothing was charged and your cart is "
                           "as it was.")
    return redirect("web:checkout_payment")


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
    return render(request, "web/orders/guest_detail.html", {
        **_order_context(order), "token": form.cleaned_data["token"].strip()})


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
