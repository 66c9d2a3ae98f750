"""Taking and giving back stock, all or nothing, without ever overselling.

`stock_take` must run inside the transaction that creates the order. It

1. locks the variants' rows in one consistent order (by id: `SELECT ... ORDER BY id FOR
   UPDATE`), so two checkouts that share variants queue one behind the other instead of
   deadlocking, and reads their current prices under the lock;
2. takes every line's units with one conditional UPDATE:
   `UPDATE variant SET stock = stock - CASE id WHEN .. THEN q .. END
    WHERE (id = a AND stock >= qa) OR (id = b AND stock >= qb) ...`
   and checks that it changed exactly one row per line. A shortfall on any line raises
   OutOfStock, and the caller's transaction rolls back with nothing taken.

The conditional WHERE is the guarantee (stock can never go below zero, and the table's
CHECK constraint says so too); the row locks make the order of waiting deterministic. On
SQLite, FOR UPDATE does not exist: the transaction is BEGIN IMMEDIATE (settings), which holds
the database's write lock from its first statement, so checkouts run one after the other and
the same conditional UPDATE decides. Two queries, whatever the number of lines.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, Q, Value, When

from shop.catalog.models import Variant
from shop.core.errors import Conflict


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = "Sorry, some items in your cart have just sold out."


def _by_id(quantities: dict[int, int]) -> Case:
    return Case(
        *[When(pk=pk, then=Value(quantity)) for pk, quantity in quantities.items()],
        output_field=PositiveIntegerField(),
    )


def stock_take(*, quantities: dict[int, int], names: dict[int, str]) -> dict[int, Decimal]:
    """Takes `quantities` (variant id -> units) or nothing. Returns the variants' prices read
    under the lock. `names` (variant id -> display name) words the OutOfStock message."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_take must run inside the order's transaction")
    if not quantities or any(q <= 0 for q in quantities.values()):
        raise ValueError("quantities must be positive")
    ids = sorted(quantities)
    prices = dict(
        Variant.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "price")
    )
    enough = Q()
    for pk in ids:
        enough |= Q(pk=pk, stock__gte=quantities[pk])
    taken = Variant.objects.filter(enough).update(stock=F("stock") - _by_id(quantities))
    if taken != len(ids) or len(prices) != len(ids):
        left = dict(Variant.objects.filter(pk__in=ids).values_list("pk", "stock"))
        short = [pk for pk in ids if left.get(pk, 0) < quantities[pk]]
        raise OutOfStock(_shortfall_message(short, left, names))
    return prices


def stock_return(*, quantities: dict[int, int]) -> None:
    """Gives units back (a declined payment, an abandoned order). One query. Variants deleted
    meanwhile are skipped."""
    if quantities:
        Variant.objects.filter(pk__in=list(quantities)).update(
            stock=F("stock") + _by_id(quantities)
        )


def _shortfall_message(short: list[int], left: dict[int, int], names: dict[int, str]) -> str:
    if not short:
        return OutOfStock.message
    parts = []
    for pk in short[:3]:
        name = names.get(pk, "an item")
        units = left.get(pk, 0)
        parts.append(f"{name} is sold out" if units == 0 else f"only {units} of {name} left")
    text = "; ".join(parts)
    return f"Sorry, {text}. Nothing was charged; please review your cart."
