"""The payment gateway interface. Checkout talks to a gateway only through this module.

A gateway does two things:
- `tokenize(card)`: checks the card (number, expiry, CVC) and exchanges it for a token that
  stands for it. The card number never goes further than this call: it is not stored, not put
  in a session, not logged. What the shop keeps is the token's brand and last four digits.
- `charge(token=..., amount=..., currency=..., reference=...)`: charges a token once. The
  reference (the order number) makes the charge idempotent at the gateway.

The gateway in use is `settings.SHOP_PAYMENT_GATEWAY` (a dotted path); the built-in test
gateway (test_gateway.py) follows docs/contract.md §3.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shop.core.errors import InvalidInput, ShopError


class PaymentDeclined(ShopError):
    code = "payment_declined"
    status = 402
    message = "Your card was declined. Nothing was charged. Try another card."


class PaymentUnavailable(ShopError):
    code = "payment_unavailable"
    status = 503
    message = "We could not reach the payment service. Nothing was charged. Try again shortly."


class InvalidCard(InvalidInput):
    code = "invalid_card"
    status = 422
    message = "The card details are not valid."


@dataclass(frozen=True)
class CardDetails:
    """What a shopper typed. repr=False on the secrets: they never reach a log line."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)


@dataclass(frozen=True)
class CardToken:
    """Stands for a card at the gateway. Safe to keep in a checkout session."""

    token: str = field(repr=False)
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    def as_dict(self) -> dict:  # type: ignore[type-arg]
        return {
            "token": self.token,
            "brand": self.brand,
            "last4": self.last4,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
        }

    @classmethod
    def from_dict(cls, data: dict) -> CardToken:  # type: ignore[type-arg]
        return cls(
            token=str(data["token"]),
            brand=str(data["brand"]),
            last4=str(data["last4"]),
            exp_month=int(data["exp_month"]),
            exp_year=int(data["exp_year"]),
        )


@dataclass(frozen=True)
class Charge:
    reference: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Refund:
    reference: str
    charge_reference: str
    amount: Decimal
    currency: str


class RefundFailed(ShopError):
    code = "refund_failed"
    status = 502
    message = "The payment service refused the refund. Nothing was changed."


class PaymentGateway(Protocol):
    name: str

    def tokenize(self, *, card: CardDetails) -> CardToken: ...

    def charge(
        self, *, token: CardToken, amount: Decimal, currency: str, reference: str
    ) -> Charge:
        """Raises PaymentDeclined when the card is refused, PaymentUnavailable when the
        gateway cannot be reached."""
        ...

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, reference: str
    ) -> Refund:
        """Gives `amount` of a charge back (staff refunds and cancellations,
        shop/orders/staff_services.py). Idempotent by `reference`: the same reference again
        returns the same refund. Raises RefundFailed or PaymentUnavailable."""
        ...


def gateway() -> PaymentGateway:
    return import_string(settings.SHOP_PAYMENT_GATEWAY)()  # type: ignore[no-any-return]


# --- card checks every gateway shares


def digits_only(number: str) -> str:
    return "".join(ch for ch in number if ch not in " -")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    if digits.startswith("4"):
        return "visa"
    prefix2, prefix4 = int(digits[:2]), int(digits[:4])
    if 51 <= prefix2 <= 55 or 2221 <= prefix4 <= 2720:
        return "mastercard"
    if prefix2 in (34, 37):
        return "amex"
    return "card"


def card_validate(card: CardDetails, *, today: dt.date | None = None) -> str:
    """The card's digits, or InvalidCard naming what is wrong (never echoing the number)."""
    digits = digits_only(card.number)
    if not digits.isdigit() or not 12 <= len(digits) <= 19 or not luhn_valid(digits):
        raise InvalidCard("The card number is not valid.", code="invalid_card_number")
    if not 1 <= card.exp_month <= 12 or not 2000 <= card.exp_year <= 2100:
        raise InvalidCard("The expiry date is not valid.", code="invalid_expiry")
    today = today or dt.date.today()
    if (card.exp_year, card.exp_month) < (today.year, today.month):
        raise InvalidCard("The card has expired.", code="card_expired")
    cvc_length = 4 if card_brand(digits) == "amex" else 3
    if not (card.cvc.isdigit() and len(card.cvc) == cvc_length):
        raise InvalidCard("The security code (CVC) is not valid.", code="invalid_cvc")
    return digits
