"""Checkout and order API schemas. The checkout input has no price, total, owner or status
field: whatever a client sends for those is ignored. The order output shows the card as brand
and last four digits at most."""

from datetime import datetime

from ninja import Schema
from pydantic import Field, StrictInt


class AddressIn(Schema):
    name: str = Field(max_length=150)
    line1: str = Field(max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field(max_length=100)
    postal_code: str = Field(max_length=20)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")


class PaymentIn(Schema):
    card_number: str = Field(max_length=23)
    exp_month: StrictInt = Field(ge=1, le=12)
    exp_year: StrictInt = Field(ge=2000, le=2100)
    cvc: str = Field(max_length=4)


class CheckoutIn(Schema):
    shipping_address: AddressIn
    shipping_method: str = Field("standard", max_length=40)
    payment: PaymentIn


class AddressOut(Schema):
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


class OrderItemOut(Schema):
    sku: str
    name: str
    variant: str | None
    quantity: int
    unit_price: str
    line_total: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.product_name

    @staticmethod
    def resolve_variant(obj) -> str | None:
        return obj.variant_label or None

    @staticmethod
    def resolve_unit_price(obj) -> str:
        return str(obj.unit_price)

    @staticmethod
    def resolve_line_total(obj) -> str:
        return str(obj.line_total)


class ShippingMethodRef(Schema):
    code: str
    name: str


class PaymentOut(Schema):
    brand: str
    last4: str


class OrderOut(Schema):
    number: str
    status: str
    items: list[OrderItemOut]
    subtotal: str
    shipping: str
    total: str
    currency: str
    shipping_address: AddressOut
    shipping_method: ShippingMethodRef
    payment: PaymentOut | None
    created_at: datetime
    paid_at: datetime | None

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.lines.all())

    @staticmethod
    def resolve_subtotal(obj) -> str:
        return str(obj.subtotal)

    @staticmethod
    def resolve_shipping(obj) -> str:
        return str(obj.shipping_total)

    @staticmethod
    def resolve_total(obj) -> str:
        return str(obj.total)

    @staticmethod
    def resolve_shipping_method(obj) -> dict:
        return {"code": obj.shipping_method_code, "name": obj.shipping_method_name}

    @staticmethod
    def resolve_payment(obj) -> dict | None:
        if not obj.payment_last4:
            return None
        return {"brand": obj.payment_brand, "last4": obj.payment_last4}


class OrderListOut(Schema):
    items: list[OrderOut]
    next_cursor: str | None
