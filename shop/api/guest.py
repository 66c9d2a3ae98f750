"""Guest checkout API (docs/contract.md §4.1): an order without an account, and the order
token that opens it. Private, no-store (shop/policy/cache.py). Throttled per e-mail address
and per client address (settings.ACCOUNTS_THROTTLE_RATES, counted in the database). A wrong
or missing token answers 404 exactly like a missing number (shop/policy/access.py)."""

from django.http import HttpResponse
from ninja import Header, Router, Status

from shop.accounts.errors import Throttled
from shop.accounts.services import site_base_url
from shop.accounts.throttle import throttle_check, throttled_response
from shop.core.addresses import ShippingAddress
from shop.orders.guest import email_clean, guest_place_order
from shop.orders.payments import CardDetails, gateway, payment_method_token
from shop.orders.services import placed_events
from shop.policy import access
from shop.privacy.guest import guest_order_erase as guest_erase

from .schemas.guest import GuestCheckoutIn, GuestOrderOut, GuestPlacedOut
from .schemas.orders import PaymentIn

router = Router(tags=["guest checkout"])


def _card(payment: PaymentIn):
    if payment.payment_method is not None:
        return payment_method_token(payment_method=payment.payment_method)
    return gateway().tokenize(  # (the schema made sure all four are there)
        card=CardDetails(number=payment.card_number or "", exp_month=payment.exp_month or 0,
                         exp_year=payment.exp_year or 0, cvc=payment.cvc or "")
    )


@router.post("/guest/checkout", response={201: GuestPlacedOut}, url_name="guest_checkout")
def guest_checkout(
    request,
    payload: GuestCheckoutIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Places an order without an account: `{email, items: [{sku, quantity}],
    shipping_address, shipping_method, payment}`. Answers 201 with the order and its
    `order_token` (also e-mailed to `email` as a link). 402 declined, 409 out of stock, 422
    invalid input, 429 too many checkouts from this address or for this e-mail. With an
    `Idempotency-Key`, the same key from the same e-mail address returns the same order and
    token (header `Idempotent-Replayed: true`)."""
    email = email_clean(payload.email)
    try:
        throttle_check(request=request, scope="guest_checkout", account=email)
    except Throttled as error:
        return throttled_response(request, error)
    placed = guest_place_order(
        email=email,
        items=[(item.sku, item.quantity) for item in payload.items],
        address=ShippingAddress.clean(**payload.shipping_address.dict()),
        shipping_method_code=payload.shipping_method,
        card=_card(payload.payment),
        discount_code=payload.discount_code,
        site_url=site_base_url(request),
        idempotency_key=idempotency_key,
    )
    order = placed.placed.order
    if placed.placed.replayed:
        response["Idempotent-Replayed"] = "true"
    data = GuestOrderOut.from_order(order, placed.placed.lines, placed_events(placed.placed))
    return Status(201, {**data, "email": order.email, "order_token": placed.token})


@router.get("/guest/orders/{number}", response=GuestOrderOut, url_name="guest_order_detail")
def guest_order_detail(
    request, number: str, order_token: str | None = Header(None, alias="X-Order-Token")
):
    """A guest order, with header `X-Order-Token`. A wrong or missing token answers 404,
    exactly like a number that does not exist."""
    try:
        throttle_check(request=request, scope="guest_order")
    except Throttled as error:
        return throttled_response(request, error)
    order = access.access_guest_order(viewer=request.principal, number=number,
                                      token=order_token or "")
    return {**GuestOrderOut.from_order(order), "email": order.email}


@router.delete("/guest/orders/{number}", response={204: None}, url_name="guest_order_erase")
def guest_order_erase(
    request, number: str, order_token: str | None = Header(None, alias="X-Order-Token")
):
    """Erases the personal data of a guest order (name, e-mail, address, phone; totals, lines
    and dates stay), with header `X-Order-Token`: 204, and the token stops opening it. A
    wrong or missing token answers 404 exactly like a missing number; an order not shipped
    yet (or waiting for payment) is 409 `orders_open`. Throttled like the lookup. A
    confirmation goes to the old address (docs/privacy.md)."""
    try:
        throttle_check(request=request, scope="guest_order")
    except Throttled as error:
        return throttled_response(request, error)
    guest_erase(request=request, viewer=request.principal, number=number,
                token=order_token or "", via="api")
    return Status(204, None)
