"""Checkout and orders API (docs/contract.md §4). Private, no-store (shop/policy/cache.py). Orders
are read
only through shop.policy.access: another user's order answers exactly like a missing one."""

from django.http import HttpResponse
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from shop.orders import services
from shop.orders.payments import CardDetails, gateway, payment_method_token
from shop.orders.selectors import order_events_by_order, order_lines_by_order
from shop.policy import access

from .auth import bearer
from .schemas.orders import CheckoutIn, OrderListOut, OrderOut

router = Router(tags=["orders"], auth=bearer)


class OrderListQuery(Schema):
    cursor: str | None = Field(None, max_length=20, description="next_cursor of the last page")
    limit: int = Field(20, ge=1, le=access.ORDER_PAGE_MAX)


@router.post("/checkout", response={201: OrderOut}, url_name="checkout")
def checkout(
    request,
    payload: CheckoutIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Places the caller's cart as an order and charges the card. Totals come from the
    server. Pay with `payment: {card_number, exp_month, exp_year, cvc}` (the built-in test
    gateway) or `payment: {payment_method: "pm_..."}` (Stripe: created with Stripe's SDK; card
    numbers are refused). 402 when the card is declined (nothing charged, nothing reserved),
    409 when stock ran out, 422 for invalid card or address, 503 when the payment service
    could not be reached or did not confirm. With an `Idempotency-Key`, the same key again
    returns the same order (header `Idempotent-Replayed: true`)."""
    address = services.ShippingAddress.clean(**payload.shipping_address.dict())
    payment = payload.payment
    if payment.payment_method is not None:
        card = payment_method_token(payment_method=payment.payment_method)
    else:
        card = gateway().tokenize(  # (the schema made sure all four are there)
            card=CardDetails(number=payment.card_number or "", exp_month=payment.exp_month or 0,
                             exp_year=payment.exp_year or 0, cvc=payment.cvc or "")
        )
    placed = services.checkout_place_order(
        principal=request.auth,
        address=address,
        shipping_method_code=payload.shipping_method,
        card=card,
        idempotency_key=idempotency_key,
    )
    if placed.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, OrderOut.from_order(placed.order, placed.lines,
                                           services.placed_events(placed)))


@router.get("/orders", response=OrderListOut, url_name="order_list")
def order_list(request, query: Query[OrderListQuery]):
    """The caller's orders, newest first. `next_cursor` pages on."""
    page = access.order_list_for(viewer=request.auth, cursor=query.cursor, limit=query.limit)
    lines = order_lines_by_order(orders=page.items)
    events = order_events_by_order(orders=page.items)
    return {
        "items": [OrderOut.from_order(order, lines[order.pk], events[order.pk])
                  for order in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/orders/{number}", response=OrderOut, url_name="order_detail")
def order_detail(request, number: str):
    """One of the caller's orders. Another user's number answers 404, like a missing one."""
    return OrderOut.from_order(access.access_order(viewer=request.auth, number=number))
