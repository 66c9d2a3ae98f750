"""Reads of orders: plain rows for the order history API (lines, timelines) and what is
still open for an account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import MoneyInFlight, Order, OrderEvent, OrderLine, OrderStatus

LINE_FIELDS = ("order_id", "sku", "product_name", "variant_label", "unit_price", "quantity",
               "line_total", "discount", "tax")
EVENT_FIELDS = ("order_id", "at", "status", "kind", "amount")
# Orders whose goods have not left yet, or whose money is still moving.
OPEN_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)


def order_lines_by_order(*, orders: Iterable[Order]) -> dict[int, list[dict[str, Any]]]:
    """The lines of `orders` (already loaded through shop.policy.access, so already the
    viewer's own), as plain rows grouped by order id, in line order. One query, whatever the
    number of orders; no model instance per line (a prefetch builds a queryset per order and
    an instance per line: a third of the order history's CPU)."""
    grouped: dict[int, list[dict[str, Any]]] = {order.pk: [] for order in orders}
    if not grouped:
        return grouped
    rows = (
        OrderLine.objects.filter(order_id__in=list(grouped))
        .order_by("order_id", "id")
        .values(*LINE_FIELDS)
    )
    for row in rows:
        grouped[row["order_id"]].append(row)
    return grouped


def order_events_by_order(*, orders: Iterable[Order]) -> dict[int, list[dict[str, Any]]]:
    """The timelines of `orders` (already the viewer's own), oldest event first. One query."""
    grouped: dict[int, list[dict[str, Any]]] = {order.pk: [] for order in orders}
    if not grouped:
        return grouped
    rows = (OrderEvent.objects.filter(order_id__in=list(grouped))
            .order_by("order_id", "at", "id").values(*EVENT_FIELDS))
    for row in rows:
        grouped[row["order_id"]].append(row)
    return grouped


def orders_open_for(*, user_id: int) -> list[str]:
    """Numbers of the user's orders that are not finished: waiting for payment, paid but not
    shipped yet, or with money in flight (an account erasure waits for these)."""
    return list(
        Order.objects.filter(user_id=user_id)
        .filter(models.Q(status__in=OPEN_STATUSES) | ~models.Q(money_in_flight=MoneyInFlight.NONE))
        .order_by("-created_at").values_list("number", flat=True)[:5]
    )


def order_is_open(*, order: Order) -> bool:
    """The rule of orders_open_for, for one order (a guest's erasure waits for it too)."""
    return order.status in OPEN_STATUSES or order.money_in_flight != MoneyInFlight.NONE


def order_after_action(*, number: str) -> Order:
    """An order just changed by a staff action (shop/orders/actions.py, which checked the
    permission and audited), with its lines and refunds."""
    return (Order.objects.filter(number=(number or "").strip().upper())
            .prefetch_related("lines", "refunds").get())
