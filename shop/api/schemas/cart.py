"""Cart API schemas. Inputs carry only what a shopper chooses (a SKU, a quantity): any price
or total sent along is ignored, because these schemas have no field for it."""

from ninja import Schema
from pydantic import Field, StrictInt

from shop.cart.models import MAX_LINE_QUANTITY
from shop.cart.selectors import CartSummary


class CartItemIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: StrictInt = Field(1, ge=1, le=MAX_LINE_QUANTITY)


class CartQuantityIn(Schema):
    quantity: StrictInt = Field(ge=0, le=MAX_LINE_QUANTITY, description="0 removes the item")


class CartItemOut(Schema):
    sku: str
    name: str
    variant: str | None
    quantity: int
    unit_price: str
    line_total: str


class CartOut(Schema):
    items: list[CartItemOut]
    subtotal: str
    currency: str
    item_count: int
    notices: list[str] = Field(
        description="What the shop changed, in words: items removed or quantities lowered."
    )


def cart_out(summary: CartSummary, *, notices: list[str] | None = None) -> dict:
    return {
        "items": [
            {
                "sku": line.sku,
                "name": line.name,
                "variant": line.variant_label if line.has_options else None,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in summary.lines
        ],
        "subtotal": str(summary.subtotal),
        "currency": summary.currency,
        "item_count": summary.item_count,
        "notices": [*(notices or []), *summary.notices],
    }
