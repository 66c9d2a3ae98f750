"""Storefront order history and order detail: the signed-in shopper's own orders only.

Private, no-store (shop/policy/cache.py). Orders are read only through shop.policy.access: a
number that is not the shopper's answers the same 404 page as a number that does not exist.
URLs take only well-formed order numbers (OrderNumberConverter): anything else, such as
`/account/orders/x.css`, is a plain 404 that carries no data.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop.core.addresses import SHIPPING_COUNTRIES
from shop.core.errors import InvalidInput
from shop.orders.guest import claimable_numbers
from shop.policy.access import ORDER_NUMBER, access_order, order_list_for

from .accounts import signin_required

PAGE_SIZE = 20


class OrderNumberConverter:
    regex = ORDER_NUMBER.pattern.strip("^$")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


@signin_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    cursor = request.GET.get("after") or None
    try:
        page = order_list_for(viewer=request.principal, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput:
        page = order_list_for(viewer=request.principal, limit=PAGE_SIZE)
        cursor = None
    return render(request, "web/orders/list.html", {
        "orders": page.items, "next_cursor": page.next_cursor, "is_first_page": not cursor,
        "claimable": len(claimable_numbers(user=request.principal.user)),
    })


@signin_required
@require_GET
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = access_order(viewer=request.principal, number=number)
    return render(request, "web/orders/detail.html", {
        "order": order,
        "lines": list(order.lines.all()),
        "events": list(order.events.all()),
        "country_name": SHIPPING_COUNTRIES.get(order.ship_country, order.ship_country),
    })
