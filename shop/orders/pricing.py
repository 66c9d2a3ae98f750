"""Prices the server computes. Nothing a client sends is ever used as a price or a total.

`quote` is the one place an order's money is put together: the lines' totals, the discount
code (shop/discounts), the shipping price (free from the threshold up, counted after the
discount), the tax of the destination (shop/taxes: a country code and an optional region),
then the arithmetic of shop/core/money.py. The cart (storefront and API), every checkout step,
the order, its e-mail and the CSV all read what it computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from shop.accounts.models import Address
from shop.accounts.principal import Principal
from shop.core.money import CENT, Priced, price_basket
from shop.discounts.models import DiscountCode
from shop.discounts.services import DiscountInvalid, cart_discount_get, discount_check
from shop.shipping.models import ShippingMethod
from shop.taxes.selectors import home_country, tax_rule_for

__all__ = ["CENT", "Destination", "Quote", "quote"]

FREE_SHIPPING_METHOD = "standard"
ZERO = Decimal("0.00")


def free_shipping_threshold() -> Decimal:
    return Decimal(str(settings.SHOP_FREE_SHIPPING_OVER))


def shipping_price(*, method: ShippingMethod, subtotal: Decimal) -> Decimal:
    """Standard delivery is free from the threshold up (the shop's promise; `subtotal` after
    the discount); other methods cost their price."""
    if method.code == FREE_SHIPPING_METHOD and subtotal >= free_shipping_threshold():
        return ZERO
    return method.price.quantize(CENT)


@dataclass(frozen=True)
class Destination:
    """Where the order goes, as far as tax cares: ISO 3166-1 alpha-2 and an optional region
    (state or province, ISO 3166-2 without the country)."""

    country: str
    region: str = ""


def destination_of(address: Any) -> Destination:
    """The destination of a shipping address (an object or a dict) that has a `country` and,
    perhaps, a `state` or `region`."""
    def get(name: str) -> str:
        value = address.get(name) if isinstance(address, dict) else getattr(address, name, "")
        return str(value or "")
    return Destination(country=get("country").upper(), region=(get("state") or get("region")))


def destination_for(*, principal: Principal, chosen: Any = None) -> Destination:
    """The cart's destination: the address chosen in checkout, else the shopper's default
    (or first) saved address, else the shop's home country."""
    if chosen:
        return destination_of(chosen)
    if principal.is_authenticated and principal.user_id is not None:
        saved = Address.objects.filter(user_id=principal.user_id).order_by(
            "-is_default", "id").values("country", "state").first()
        if saved:
            return destination_of(saved)
    return Destination(country=home_country())


@dataclass(frozen=True)
class Quote:
    """A basket priced for a destination, a delivery and a discount code."""

    priced: Priced
    discount_code: str | None = None
    # why the cart's code does not apply now (the code stays on the cart; checkout refuses)
    discount_problem: str | None = None
    tax_name: str = "Tax"
    destination: Destination | None = None

    @property
    def subtotal(self) -> Decimal:
        return self.priced.subtotal

    @property
    def discount(self) -> Decimal:
        return self.priced.discount

    @property
    def shipping(self) -> Decimal:
        return self.priced.shipping

    @property
    def tax(self) -> Decimal:
        return self.priced.tax

    @property
    def tax_included(self) -> bool:
        return self.priced.tax_included

    @property
    def total(self) -> Decimal:
        return self.priced.total


def quote(
    *,
    line_totals: Sequence[Decimal],
    method: ShippingMethod | None,
    destination: Destination,
    code: DiscountCode | None = None,
    user_id: int | None = None,
    email: str = "",
) -> Quote:
    """Prices a basket (see the module docstring). `method` None: no delivery chosen yet
    (shipping 0.00). A code that does not apply is left out of the amounts and its reason
    is in `discount_problem`."""
    subtotal = sum((Decimal(t) for t in line_totals), ZERO).quantize(CENT)
    amount, problem = ZERO, None
    if code is not None:
        try:
            discount_check(code=code, subtotal=subtotal, user_id=user_id, email=email)
        except DiscountInvalid as invalid:
            problem = invalid.message
        else:
            amount = code.amount_for(subtotal)
    shipping = (shipping_price(method=method, subtotal=subtotal - amount)
                if method is not None else ZERO)
    rule = tax_rule_for(country=destination.country, region=destination.region)
    priced = price_basket(line_totals, discount=amount, shipping=shipping, tax=rule)
    return Quote(priced=priced, discount_code=code.code if code is not None else None,
                 discount_problem=problem, tax_name=rule.name, destination=destination)


def cart_quote(
    *, principal: Principal, cart_id: int | None, line_totals: Sequence[Decimal],
    chosen_address: Any = None, method_code: str | None = None, guest_email: str = "",
) -> Quote:
    """A cart priced as checkout would price it now: its code, the delivery chosen in
    checkout (else standard delivery), the destination of destination_for. A guest's code
    is checked for the e-mail address she gave in checkout (`guest_email`), as placing
    will check it."""
    method = (ShippingMethod.objects.filter(code=method_code or FREE_SHIPPING_METHOD,
                                            is_active=True).first())
    user = principal.user if principal.is_authenticated else None
    return quote(
        line_totals=line_totals, method=method,
        destination=destination_for(principal=principal, chosen=chosen_address),
        code=cart_discount_get(cart_id=cart_id),
        user_id=user.pk if user is not None else None,
        email=user.email if user is not None else guest_email,
    )


# Kept for callers that only need subtotal, shipping and total (no tax, no discount).
@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal

    @property
    def total(self) -> Decimal:
        return (self.subtotal + self.shipping).quantize(CENT)


def totals_for(*, subtotal: Decimal, method: ShippingMethod) -> Totals:
    subtotal = subtotal.quantize(CENT)
    return Totals(subtotal=subtotal, shipping=shipping_price(method=method, subtotal=subtotal))
