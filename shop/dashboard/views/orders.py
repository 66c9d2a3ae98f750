"""Orders: list with search and status filter, detail, fulfil / cancel / refund, CSV export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from shop.core.errors import ShopError
from shop.orders import staff_selectors as selectors
from shop.orders import staff_services
from shop.orders.models import OrderStatus
from shop.orders.payments import PaymentUnavailable
from shop.staff.roles import Perm

from .common import actor, can, render_page

STATUS_TABS = [("", "All"), *OrderStatus.choices]


@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    status = status if status in OrderStatus.values else ""
    cursor = request.GET.get("cursor") or None
    page = selectors.order_page(actor=actor(request), q=q, status=status, cursor=cursor)
    if q and len(page.items) == 1 and not cursor and page.items[0].number == q.strip().upper():
        return redirect("dashboard:order_detail", number=page.items[0].number)
    return render_page(request, "dashboard/orders/list.html", {
        "page": page, "q": q, "status": status, "tabs": STATUS_TABS,
        "can_export": can(request, Perm.EXPORT_ORDERS),
    }, section="orders")


@require_GET
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_read(actor=actor(request), number=number)
    return render_page(request, "dashboard/orders/detail.html", {
        "order": order,
        "lines": list(order.lines.all()),
        "payments": list(order.payments.all()),
        "can_fulfil": order.status == OrderStatus.PAID
        and can(request, Perm.CHANGE_ORDER_STATUS),
        "can_cancel": (
            order.status == OrderStatus.PENDING_PAYMENT and can(request, Perm.CHANGE_ORDER_STATUS)
        ) or (
            order.status == OrderStatus.PAID and can(request, Perm.CHANGE_ORDER_STATUS)
            and can(request, Perm.REFUND_ORDER)
        ),
        "can_refund": order.status == OrderStatus.FULFILLED and can(request, Perm.REFUND_ORDER),
        "can_view_customer": can(request, Perm.VIEW_CUSTOMERS),
    }, section="orders")


def _act(request: HttpRequest, number: str, action, success: str) -> HttpResponse:
    try:
        order = action()
    except (ShopError, PaymentUnavailable) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success.format(number=order.number))
    return redirect("dashboard:order_detail", number=number.strip().upper())


@require_POST
def order_fulfil(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, lambda: staff_services.order_fulfil(
        actor=actor(request), number=number), "Order {number} marked as fulfilled.")


@require_POST
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm the cancellation.")
        return redirect("dashboard:order_detail", number=number.strip().upper())
    return _act(request, number, lambda: staff_services.order_cancel(
        actor=actor(request), number=number, reason=request.POST.get("reason", "")[:200]),
        "Order {number} cancelled; its items are back in stock and any payment refunded.")


@require_POST
def order_refund(request: HttpRequest, number: str) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm the refund.")
        return redirect("dashboard:order_detail", number=number.strip().upper())
    return _act(request, number, lambda: staff_services.order_refund(
        actor=actor(request), number=number, restock=request.POST.get("restock") == "yes",
        reason=request.POST.get("reason", "")[:200]),
        "Order {number} refunded.")


def _cell(value) -> str:
    """No spreadsheet formulas out of customer-typed text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
def order_export(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    status = status if status in OrderStatus.values else ""
    orders = selectors.orders_export(actor=actor(request), q=q, status=status)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    writer = csv.writer(response)
    writer.writerow(["number", "created_at", "status", "email", "items", "subtotal",
                     "shipping", "total", "currency", "ship_name", "ship_city",
                     "ship_postal_code", "ship_country", "shipping_method", "card"])
    for order in orders:
        card = f"{order.payment_brand} •••• {order.payment_last4}" if order.payment_last4 else ""
        writer.writerow([_cell(v) for v in (
            order.number, order.created_at.isoformat(), order.status, order.email,
            order.item_count, order.subtotal, order.shipping_total, order.total, order.currency,
            order.ship_name, order.ship_city, order.ship_postal_code, order.ship_country,
            order.shipping_method_name, card,
        )])
    return response
