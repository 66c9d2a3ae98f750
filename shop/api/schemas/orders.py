"""Checkout and order API schemas. The checkout input has no price, total, owner or status
field: whatever a client sends for those is ignored. The order output shows the card as brand
and last four digits at most."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import BaseModel, Field, StrictInt, model_validator

from shop.orders.selectors import order_events_by_order


class AddressIn(Schema):
    name: str = Field(max_length=150)
    line1: str = Field(max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field(max_length=100)
    state: str = Field("", max_length=100, description="required in the US and Canada "
                       "(two-letter code)")
    postal_code: str = Field(max_length=20, description="checked per country "
                             "(shop/core/addresses.py)")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    phone: str = Field("", max_length=32)


class PaymentIn(Schema):
    """Either the card (the built-in test gateway) or a payment method created with the
    provider's own SDK (`pm_...`, Stripe): the card number never reaches a shop that uses a
    real provider."""

    card_number: str | None = Field(None, max_length=23)
    exp_month: StrictInt | None = Field(None, ge=1, le=12)
    exp_year: StrictInt | None = Field(None, ge=2000, le=2100)
    cvc: str | None = Field(None, max_length=4)
    payment_method: str | None = Field(None, max_length=100, pattern=r"^pm_[A-Za-z0-9_]{1,96}$")

    @model_validator(mode="after")
    def one_way_to_pay(self):
        card = (self.card_number, self.exp_month, self.exp_year, self.cvc)
        if self.payment_method is not None:
            if any(value is not None for value in card):
                raise ValueError("send either the card or a payment method, not both")
        elif any(value is None for value in card):
            raise ValueError("send card_number, exp_month, exp_year and cvc, or a "
                             "payment_method")
        return self


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
    """An order line read from an OrderLine instance (staff API, shop/api/schemas/admin.py)."""

    sku: str
    name: str
    variant: str | None
    quantity: int
    unit_price: str
    line_total: str
    discount: str
    tax: str

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

    @staticmethod
    def resolve_discount(obj) -> str:
        return str(obj.discount)

    @staticmethod
    def resolve_tax(obj) -> str:
        return str(obj.tax)


class ShippingMethodRef(Schema):
    code: str
    name: str


class PaymentOut(Schema):
    brand: str
    last4: str


# The same shapes as plain pydantic models, fed plain dicts (OrderOut.from_order).


class AddressData(BaseModel):
    name: str
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str
    country: str
    phone: str


class OrderItemData(BaseModel):
    sku: str
    name: str
    variant: str | None
    quantity: int
    unit_price: str
    line_total: str
    discount: str = Field(description="this line's share of the order's discount")
    tax: str = Field(description="this line's tax, rounded per line (docs/orders.md)")


class ShippingMethodData(BaseModel):
    code: str
    name: str


class PaymentData(BaseModel):
    brand: str
    last4: str


class TrackingData(BaseModel):
    carrier: str
    number: str


class OrderEventData(BaseModel):
    """One step of the order's timeline: `status` is the order's status after it; `kind` says
    what happened (placed, paid, fulfilled, refunded, cancelled); `amount` is a refund's."""

    at: datetime
    status: str
    kind: str
    amount: str | None


class OrderOut(BaseModel):
    """One order. Plain pydantic models fed plain dicts (`from_order`), not Ninja Schemas with
    resolvers: Ninja reads each field of each nested object through a Python wrapper, which
    was most of the order history's CPU (a page of 20 orders with 3 lines each: ~100 nested
    objects). The order and its lines are still loaded as model instances, so the ownership
    guard (shop/policy/ownership.py) notes every order's owner as before."""

    number: str
    status: str
    items: list[OrderItemData]
    subtotal: str
    discount_code: str | None
    discount: str
    shipping: str
    tax: str = Field(description="the VAT or sales tax of the order, shipping's included")
    tax_included: bool = Field(description="true where the prices include the tax (EU, UK)")
    total: str = Field(description="subtotal - discount + shipping (+ tax when not included)")
    refunded: str
    currency: str
    shipping_address: AddressData
    shipping_method: ShippingMethodData
    payment: PaymentData | None
    tracking: TrackingData | None
    events: list[OrderEventData]
    created_at: datetime
    paid_at: datetime | None

    @staticmethod
    def from_order(order, lines=None, events=None) -> dict[str, Any]:
        """The fields of a shop.orders.models.Order as this schema has them. `lines`: its
        OrderLine instances, or plain rows of shop.orders.selectors.LINE_FIELDS; by default
        the order's (prefetched) lines. `events`: its timeline as rows of
        shop.orders.selectors.EVENT_FIELDS (default: read now, one query)."""
        if lines is None:
            lines = order.lines.all()
        if events is None:
            events = order_events_by_order(orders=[order])[order.pk]
        return {
            "number": order.number,
            "status": order.status,
            "items": [
                line_row(line) if isinstance(line, dict) else line_instance(line)
                for line in lines
            ],
            "subtotal": str(order.subtotal),
            "discount_code": order.discount_code or None,
            "discount": str(order.discount_total),
            "shipping": str(order.shipping_total),
            "tax": str(order.tax_total),
            "tax_included": order.tax_included,
            "total": str(order.total),
            "refunded": str(order.amount_refunded),
            "currency": order.currency,
            "shipping_address": order.shipping_address,
            "shipping_method": {
                "code": order.shipping_method_code,
                "name": order.shipping_method_name,
            },
            "payment": (
                {"brand": order.payment_brand, "last4": order.payment_last4}
                if order.payment_last4
                else None
            ),
            "tracking": order.tracking,
            "events": [
                {"at": e["at"], "status": e["status"], "kind": e["kind"],
                 "amount": str(e["amount"]) if e["amount"] is not None else None}
                for e in events
            ],
            "created_at": order.created_at,
            "paid_at": order.paid_at,
        }


def line_instance(line) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "name": line.product_name,
        "variant": line.variant_label or None,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "line_total": str(line.line_total),
        "discount": str(line.discount),
        "tax": str(line.tax),
    }


def line_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "name": row["product_name"],
        "variant": row["variant_label"] or None,
        "quantity": row["quantity"],
        "unit_price": str(row["unit_price"]),
        "line_total": str(row["line_total"]),
        "discount": str(row["discount"]),
        "tax": str(row["tax"]),
    }


class OrderListOut(Schema):
    items: list[OrderOut]
    next_cursor: str | None


# --- staff actions on orders (shop/api/admin_orders.py)


class FulfilIn(Schema):
    carrier: str = Field("", max_length=60)
    tracking_number: str = Field("", max_length=60)


class CancelIn(Schema):
    reason: str = Field("", max_length=200)
    restock: bool = Field(True, description="put the units back on the shelf")


class RefundIn(Schema):
    amount: str | None = Field(None, max_length=20, pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$",
                               description="default: everything left to refund")
    reason: str = Field("", max_length=200)
    restock: bool = Field(False, description="the goods came back sellable")


class RefundData(BaseModel):
    amount: str
    status: str
    reason: str
    created_at: datetime


class StaffOrderOut(OrderOut):
    """An order as staff see it after acting on it: the customer's view plus who it is for,
    whether money is moving right now, and every refund."""

    customer_id: int | None
    email: str
    money_in_flight: str
    refunds: list[RefundData]

    @staticmethod
    def from_staff_order(order) -> dict[str, Any]:
        data = OrderOut.from_order(order, list(order.lines.all()))
        data.update(
            customer_id=order.user_id, email=order.email,
            money_in_flight=order.money_in_flight,
            refunds=[{"amount": str(r.amount), "status": r.status, "reason": r.reason,
                      "created_at": r.created_at} for r in order.refunds.all()],
        )
        return data
