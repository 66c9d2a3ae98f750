"""Staff API schemas (docs/contract.md §4). The output schemas are the whitelist: the card is brand
and
last four digits at most, no internal ids beyond the customer's and the staff member's."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

from .orders import AddressOut, OrderItemOut, PaymentOut, ShippingMethodRef


class AdminOrderQuery(Schema):
    q: str = Field("", max_length=100, description="order number (or its start), email, name")
    status: str = Field("", max_length=20)
    cursor: str | None = Field(None, max_length=20, description="next_cursor of the last page")
    limit: int = Field(25, ge=1, le=100)


class CustomerRef(Schema):
    id: int | None
    email: str


class AdminOrderSummaryOut(Schema):
    number: str
    status: str
    customer: CustomerRef
    item_count: int
    total: str
    currency: str
    created_at: datetime
    paid_at: datetime | None

    @staticmethod
    def resolve_customer(obj) -> dict:
        return {"id": obj.user_id, "email": obj.email}

    @staticmethod
    def resolve_total(obj) -> str:
        return str(obj.total)


class AdminOrderListOut(Schema):
    items: list[AdminOrderSummaryOut]
    next_cursor: str | None


class AdminOrderOut(AdminOrderSummaryOut):
    items: list[OrderItemOut]
    subtotal: str
    discount_code: str | None
    discount: str
    shipping: str
    tax: str
    tax_included: bool
    shipping_address: AddressOut
    shipping_method: ShippingMethodRef
    payment: PaymentOut | None

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
    def resolve_discount_code(obj) -> str | None:
        return obj.discount_code or None

    @staticmethod
    def resolve_discount(obj) -> str:
        return str(obj.discount_total)

    @staticmethod
    def resolve_tax(obj) -> str:
        return str(obj.tax_total)

    @staticmethod
    def resolve_shipping_method(obj) -> dict:
        return {"code": obj.shipping_method_code, "name": obj.shipping_method_name}

    @staticmethod
    def resolve_payment(obj) -> dict | None:
        if not obj.payment_last4:
            return None
        return {"brand": obj.payment_brand, "last4": obj.payment_last4}


class EventQuery(Schema):
    before: int | None = Field(None, ge=1, description="next_cursor of the last page")
    limit: int = Field(50, ge=1, le=100)


class AuditEventQuery(EventQuery):
    customer_id: int | None = Field(None, ge=1)
    actor_id: int | None = Field(None, ge=1)
    action: str = Field("", max_length=64)


class AuditEventOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_email: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    customer_id: int | None
    ip: str | None
    request_id: str
    via: str
    details: dict


class AuditEventListOut(Schema):
    items: list[AuditEventOut]
    next_cursor: int | None


class SecurityEventQuery(EventQuery):
    kind: str = Field("", max_length=64)
    user_id: int | None = Field(None, ge=1)


class SecurityEventOut(Schema):
    id: int
    created_at: datetime
    kind: str
    user_id: int | None
    ip: str | None
    path: str
    request_id: str
    details: dict


class SecurityEventListOut(Schema):
    items: list[SecurityEventOut]
    next_cursor: int | None
