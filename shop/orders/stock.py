"""Stock: every change of a variant's units goes through this module. Sales take units
(`stock_take`), a dead order gives them back once (`order_restock`), staff adjust them with
who and why (`stock_adjust`).

The lock order, the same on every path that locks more than one of these rows (checkout,
the release of a declined or abandoned order, cancel, refund with restock, erasure):

    1. the user row (checkout and erasure, so that an account cannot be erased half-way
       through its own checkout)
    2. the cart row (SELECT ... FOR UPDATE)
    3. the order row (the conditional UPDATE of shop/orders/state.py)
    4. the variant rows, in id order (SELECT ... ORDER BY id FOR UPDATE)

A path may skip a level, never go back up: two paths that share rows then queue one behind
the other instead of each holding what the other waits for (the deadlock of issue 12).

`stock_take` must run inside the transaction that creates the order. For one or two variants
(the usual cart) it takes each one's units with one statement, in id order:
`UPDATE variant SET stock = stock - q WHERE id = a AND stock >= q RETURNING price`, which locks
the row, takes the units only if they are there and returns the price read under the lock
(`_take_one`; no row back: OutOfStock). From three variants on it

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
the same conditional UPDATE decides. At most two queries, whatever the number of lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

from django.db import connection, transaction
from django.db.models import Case, F, PositiveIntegerField, Q, Value, When
from django.utils import timezone

from shop.catalog.models import StockAdjustment, StockAdjustmentReason, Variant
from shop.core.errors import Conflict, InvalidInput

from .models import Order, OrderLine

MAX_STOCK_DELTA = 100_000
CENT = Decimal("0.01")  # Variant.price's decimal places
# (Django's update() returns no columns; PostgreSQL and SQLite >= 3.35 both have RETURNING)
TAKE_ONE = ('UPDATE "catalog_variant" SET "stock" = "stock" - %s '
            'WHERE "id" = %s AND "stock" >= %s RETURNING "price"')


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
    if len(ids) <= 2:  # one statement per variant, in id order
        prices = {}
        for pk in ids:
            price = _take_one(pk=pk, quantity=quantities[pk])
            if price is None:
                _out_of_stock(ids, quantities, names)
            prices[pk] = price
        return prices
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
        _out_of_stock(ids, quantities, names)
    return prices


def _take_one(*, pk: int, quantity: int) -> Decimal | None:
    """Takes `quantity` units of one variant, or nothing when fewer are left: one
    conditional UPDATE, which locks the row, and returns the price read under that lock
    (None: short, or no such variant)."""
    with connection.cursor() as cursor:
        cursor.execute(TAKE_ONE, [quantity, pk, quantity])
        row = cursor.fetchone()
    if row is None:
        return None
    price = row[0]  # a Decimal on PostgreSQL; SQLite answers a float or an int
    if not isinstance(price, Decimal):
        price = Decimal(str(price))
    return price.quantize(CENT)


def _out_of_stock(ids: list[int], quantities: dict[int, int], names: dict[int, str]
                  ) -> NoReturn:
    left = dict(Variant.objects.filter(pk__in=ids).values_list("pk", "stock"))
    short = [pk for pk in ids if left.get(pk, 0) < quantities[pk]]
    raise OutOfStock(_shortfall_message(short, left, names))


def _stock_return(*, quantities: dict[int, int]) -> None:
    """Gives units back, locking the variants in id order first. Variants deleted meanwhile
    are skipped. Only order_restock calls it: stock goes back once per order."""
    if not quantities:
        return
    ids = sorted(quantities)
    list(Variant.objects.select_for_update().filter(pk__in=ids).order_by("pk")
         .values_list("pk", flat=True))
    Variant.objects.filter(pk__in=ids).update(stock=F("stock") + _by_id(quantities))


def order_quantities(*, order_id: int) -> dict[int, int]:
    quantities: dict[int, int] = {}
    for variant_id, quantity in OrderLine.objects.filter(
        order_id=order_id, variant__isnull=False
    ).values_list("variant_id", "quantity"):
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity
    return quantities


def order_restock(*, order: Order) -> int:
    """Puts the order's units back on the shelf, exactly once in the order's life: a
    conditional UPDATE marks the order restocked, and only the call that made that change
    returns the units. Runs inside the transaction that killed the order (or refunded it
    with its goods back). Returns the units given back (0 when they already were)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_restock must run inside the order's transaction")
    now = timezone.now()
    if not Order.objects.filter(pk=order.pk, restocked_at__isnull=True).update(
        restocked_at=now
    ):
        return 0
    order.restocked_at = now
    quantities = order_quantities(order_id=order.pk)
    _stock_return(quantities=quantities)
    return sum(quantities.values())


@transaction.atomic
def stock_adjust(
    *, variant_id: int, delta: int, reason: str, note: str = "", actor_id: int | None
) -> StockAdjustment:
    """Adds (or, negative, takes) `delta` units, recorded with who and why. One conditional
    UPDATE: concurrent sales and adjustments never drive stock below zero."""
    if reason not in StockAdjustmentReason.values:
        raise InvalidInput("Choose a reason for the adjustment.", code="invalid_reason")
    if delta == 0 or abs(delta) > MAX_STOCK_DELTA:
        raise InvalidInput(
            f"Adjust by a whole number of units between -{MAX_STOCK_DELTA} and "
            f"{MAX_STOCK_DELTA}, not zero.", code="invalid_delta",
        )
    note = " ".join((note or "").split())[:200]
    if reason == StockAdjustmentReason.OTHER and not note:
        raise InvalidInput("Say why in the note when the reason is \"Other\".",
                           code="note_required")
    changed = Variant.objects.filter(pk=variant_id, stock__gte=max(0, -delta)).update(
        stock=F("stock") + delta
    )
    if not changed:
        if not Variant.objects.filter(pk=variant_id).exists():
            raise InvalidInput("This variant no longer exists.", code="unknown_variant")
        raise Conflict("Stock cannot go below zero.", code="stock_below_zero")
    stock_after = Variant.objects.filter(pk=variant_id).values_list("stock", flat=True).get()
    return StockAdjustment.objects.create(
        variant_id=variant_id, delta=delta, stock_after=stock_after, reason=reason, note=note,
        actor_id=actor_id,
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
