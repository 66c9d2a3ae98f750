"""Reads of orders for answers built from plain rows (the order history API)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Order, OrderLine

LINE_FIELDS = ("order_id", "sku", "product_name", "variant_label", "unit_price", "quantity",
               "line_total")


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
