"""Orders: list with search and status filter, detail, fulfil / cancel / refund, CSV export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from shop.core.errors import ShopError
from shop.orders import actions
from shop.orders import staff_selectors as selectors
from shop.orders.models import OrderStatus
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
    idle = not order.money_in_flight
    payments = list(order.payments.all())
    captured = next((p for p in payments if p.status in ("captured", "refunded")), None)
    return render_page(request, "dashboard/orders/detail.html", {
        "order": order,
        "lines": list(order.lines.all()),
        "payments": payments,
        "refunds": list(order.refunds.all()),
        "events": list(order.events.all()),
        "refundable": (captured.amount - captured.amount_refunded) if captured else None,
        "can_fulfil": idle and order.status == OrderStatus.PAID
        and can(request, Perm.CHANGE_ORDER_STATUS),
        "can_cancel": idle and ((
            order.status == OrderStatus.PENDING_PAYMENT and can(request, Perm.CHANGE_ORDER_STATUS)
        ) or (
            order.status == OrderStatus.PAID and can(request, Perm.CHANGE_ORDER_STATUS)
            and can(request, Perm.REFUND_ORDER)
        )),
        # a closed order can be refunded again only for what bounced (refund_bounced)
        "can_refund": idle and order.status in (OrderStatus.PAID, OrderStatus.FULFILLED,
                                                OrderStatus.CANCELLED, OrderStatus.REFUNDED)
        and captured is not None and captured.amount > captured.amount_refunded
        and can(request, Perm.REFUND_ORDER),
        "can_view_customer": can(request, Perm.VIEW_CUSTOMERS),
    }, section="orders")


def _act(request: HttpRequest, number: str, action, success: str) -> HttpResponse:
    try:
        order = action()
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success.format(number=order.number))
    return redirect("dashboard:order_detail", number=number.strip().upper())


@require_POST
def order_fulfil(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, lambda: actions.order_fulfil(
        actor=actor(request), number=number, carrier=request.POST.get("carrier", "")[:100],
        tracking_number=request.POST.get("tracking_number", "")[:100]),
        "Order {number} marked as shipped; the customer has been e-mailed.")


@require_POST
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm the cancellation.")
        return redirect("dashboard:order_detail", number=number.strip().upper())
    return _act(request, number, lambda: actions.order_cancel(
        actor=actor(request), number=number, reason=request.POST.get("reason", "")[:200],
        restock=request.POST.get("keep_out_of_stock") != "yes"),
        "Order {number} cancelled; any payment refunded and the customer e-mailed.")


@require_POST
def order_refund(request: HttpRequest, number: str) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm the refund.")
        return redirect("dashboard:order_detail", number=number.strip().upper())
    return _act(request, number, lambda: actions.order_refund(
        actor=actor(request), number=number, amount=request.POST.get("amount", "")[:20],
        restock=request.POST.get("restock") == "yes",
        reason=request.POST.get("reason", "")[:200]),
        "Refund for order {number} done; the customer has been e-mailed.")


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
                     "ship_postal_code", "ship_country", "shipping_method", "card",
                     "discount_code", "discount", "tax", "tax_included", "tax_rate"])
    for order in orders:
        card = f"{order.payment_brand} •••• {order.payment_last4}" if order.payment_last4 else ""
        writer.writerow([_cell(v) for v in (
            order.number, order.created_at.isoformat(), order.status, order.email,
            order.item_count, order.subtotal, order.shipping_total, order.total, order.currency,
            order.ship_name, order.ship_city, order.ship_postal_code, order.ship_country,
            order.shipping_method_name, card,
            order.discount_code, order.discount_total, order.tax_total,
            "yes" if order.tax_included else "no", order.tax_rate,
        )])
    return response
