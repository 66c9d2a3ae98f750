"""Cart API schemas. Inputs carry only what a shopper chooses (a SKU, a quantity): any price
or total sent along is ignored, because these schemas have no field for it."""

from ninja import Schema
from pydantic import Field, StrictInt

from shop.cart.models import MAX_LINE_QUANTITY
from shop.cart.selectors import CartSummary
from shop.discounts.models import CODE_MAX_LENGTH
from shop.orders.pricing import Quote


class CartItemIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: StrictInt = Field(1, ge=1, le=MAX_LINE_QUANTITY)


class CartQuantityIn(Schema):
    quantity: StrictInt = Field(ge=0, le=MAX_LINE_QUANTITY, description="0 removes the item")


class DiscountIn(Schema):
    code: str = Field(min_length=1, max_length=CODE_MAX_LENGTH)


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
    discount_code: str | None = Field(description="the code the cart carries, or null")
    discount: str = Field(description="what the code takes off the subtotal; 0.00 when none")
    shipping: str = Field(description="standard delivery to the destination (checkout "
                                      "prices the method chosen there)")
    tax: str = Field(description="the VAT or sales tax of the cart, for its destination")
    tax_included: bool = Field(description="true where shelf prices include the tax (EU, UK)")
    tax_country: str = Field(description="the destination the tax is for: the default saved "
                                         "address, else the shop's home country")
    total: str = Field(description="subtotal - discount + shipping (+ tax when not included)")
    notices: list[str] = Field(
        description="What the shop changed, in words: items removed or quantities lowered."
    )


def cart_out(summary: CartSummary, quote: Quote, *, notices: list[str] | None = None
             ) -> dict:
    problem = [quote.discount_problem] if quote.discount_problem else []
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
        "discount_code": quote.discount_code,
        "discount": str(quote.discount),
        "shipping": str(quote.shipping),
        "tax": str(quote.tax),
        "tax_included": quote.tax_included,
        "tax_country": quote.destination.country if quote.destination else "",
        "total": str(quote.total),
        "notices": [*(notices or []), *summary.notices, *problem],
    }
