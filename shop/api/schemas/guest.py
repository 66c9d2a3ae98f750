"""Guest checkout schemas (docs/contract.md §4.1). Like the shopper's checkout, no price,
total, owner or status field: the server computes those."""

from ninja import Schema
from pydantic import Field, StrictInt

from .orders import AddressIn, OrderOut, PaymentIn


class GuestItemIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: StrictInt = Field(ge=1, le=99)


class GuestCheckoutIn(Schema):
    email: str = Field(min_length=3, max_length=254)
    items: list[GuestItemIn] = Field(min_length=1, max_length=50)
    shipping_address: AddressIn
    shipping_method: str = Field("standard", max_length=40)
    payment: PaymentIn


class GuestOrderOut(OrderOut):
    """The guest's order, with the address it was placed with."""

    email: str


class GuestPlacedOut(GuestOrderOut):
    """The placed order and its `order_token`: the secret that opens it (header
    `X-Order-Token` on GET /guest/orders/{number}); also e-mailed as a link."""

    order_token: str
