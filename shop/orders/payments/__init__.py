"""The payment gateway interface. The shop talks to a payment provider only through this
module.

A gateway:
- `tokenize(card)`: checks the card (number, expiry, CVC) and exchanges it for a token that
  stands for it. The card number never goes further than this call: it is not stored, not put
  in a session, not logged. What the shop keeps is the token's brand and last four digits.
  (A provider whose own page or fields take the card, like Stripe, refuses card numbers
  here: the token comes from the provider.)
- `charge(...)`: charges a token once per `idempotency_key`, the key of the Payment row the
  shop committed before calling (the same key again returns the same charge, as a real
  provider does).
- `charge_settle(...)`: what became of an attempt, asked by its key when the shop never heard
  the answer (a crash, a timeout): makes sure nothing more can happen to it (an attempt still
  open at the provider is cancelled there first), then says charged or not charged.
- `refund(...)` and `refund_lookup(...)`: the same for refunds.
- a gateway whose own page takes the card (`hosted = True`, Stripe) also opens that page
  (`hosted_session`), tells what became of it without changing it (`charge_status`: the
  shopper's return) and closes it (`charge_cancel`: the shopper gave up).

The gateway in use is `settings.SHOP_PAYMENT_GATEWAY` (a dotted path): the built-in test
gateway (test_gateway.py: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined) or
Stripe (stripe_gateway.py). Payments made through another gateway are settled through the one
that made them (`gateway_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, cast

from django.conf import settings
from django.utils.module_loading import import_string

from shop.core.errors import InvalidInput, ShopError


class PaymentDeclined(ShopError):
    code = "payment_declined"
    status = 402
    message = "Your card was declined. Nothing was charged. Try another card."


class PaymentUnavailable(ShopError):
    """The provider could not be reached, and certainly took nothing."""

    code = "payment_unavailable"
    status = 503
    message = "We could not reach the payment service. Nothing was charged. Try again shortly."


class PaymentUncertain(ShopError):
    """The provider's answer never came: the charge may or may not have happened. Raised by a
    gateway; the shop asks the provider again (charge_settle) before it tells anyone."""

    code = "payment_unconfirmed"
    status = 503
    message = ("We could not confirm your payment with the payment service. Do not pay "
               "again: we will check it and e-mail you the result within a few minutes.")


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "brand": self.brand,
            "last4": self.last4,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CardToken:
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
class ChargeOutcome:
    """What became of a charge attempt, for good: charged (with the provider's reference) or
    not, and never will be."""

    charged: bool
    reference: str = ""
    amount: Decimal | None = None


@dataclass(frozen=True)
class Refund:
    reference: str
    charge_reference: str
    amount: Decimal
    currency: str
    # accepted, but the provider settles it later (Stripe's `pending`): it may still fail
    pending: bool = False


# What a provider says of a refund it accepted (refund_status)
REFUND_ARRIVED, REFUND_PENDING, REFUND_BOUNCED = "arrived", "pending", "bounced"


class RefundFailed(ShopError):
    code = "refund_failed"
    status = 502
    message = "The payment service refused the refund. Nothing was refunded."


class PaymentGateway(Protocol):
    name: str
    # True when the provider's own page takes the card (the storefront redirects there).
    hosted: bool

    def tokenize(self, *, card: CardDetails) -> CardToken: ...

    def charge(
        self,
        *,
        token: CardToken,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        reference: str,
        on_provider_id: Callable[[str], None] | None = None,
    ) -> Charge:
        """Charges `amount` once per `idempotency_key`; `reference` (the order number) is
        shown to the provider's staff. A provider that names the attempt before charging it
        reports that id to `on_provider_id` first (the shop records it before the charge is
        confirmed). Raises PaymentDeclined (not charged), PaymentUnavailable (not charged:
        unreachable) or PaymentUncertain (no answer: ask charge_settle)."""
        ...

    def charge_settle(self, *, idempotency_key: str, provider_id: str) -> ChargeOutcome | None:
        """What became of the attempt with this key, making sure nothing more will (an attempt
        still open is cancelled at the provider first). None: the provider cannot tell yet
        (ask again later). Raises PaymentUnavailable."""
        ...

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str,
        reference: str,
    ) -> Refund:
        """Gives `amount` of a charge back, once per `idempotency_key`. Raises RefundFailed
        (refused: nothing refunded), PaymentUnavailable or PaymentUncertain."""
        ...

    def refund_lookup(self, *, idempotency_key: str, charge_reference: str) -> Refund | None:
        """The refund made with this key, or None when there is none."""
        ...

    def refund_status(self, *, reference: str) -> str | None:
        """What became of an accepted refund: REFUND_ARRIVED, REFUND_PENDING or REFUND_BOUNCED
        (failed after it was accepted); None when the provider cannot be asked now."""
        ...


class HostedPaymentGateway(PaymentGateway, Protocol):
    """A gateway whose own page takes the card (`hosted = True`)."""

    def hosted_session(self, *, amount: Decimal, currency: str, idempotency_key: str,
                       reference: str, email: str, success_url: str, cancel_url: str
                       ) -> tuple[str, str]:
        """Opens the provider's page for this attempt: (its id, the page's URL)."""
        ...

    def charge_status(self, *, provider_id: str) -> ChargeOutcome | None:
        """What became of the attempt so far, without changing it (None: still open)."""
        ...

    def charge_cancel(self, *, provider_id: str) -> ChargeOutcome | None:
        """Closes the attempt at the provider now, then says what became of it."""
        ...


def hosted_gateway_for(name: str | None = None) -> HostedPaymentGateway:
    """The gateway (by name, or the one in use) as one with a hosted page."""
    found = gateway_for(name) if name else gateway()
    if not getattr(found, "hosted", False):
        raise PaymentUnavailable()
    return cast(HostedPaymentGateway, found)


GATEWAYS = {
    "test": "shop.orders.payments.test_gateway.TestGateway",
    "stripe": "shop.orders.payments.stripe_gateway.StripeGateway",
}


def gateway() -> PaymentGateway:
    """The gateway new payments go through."""
    return cast(PaymentGateway, import_string(settings.SHOP_PAYMENT_GATEWAY)())


def payment_method_token(*, payment_method: str) -> CardToken:
    """The token for a payment method the client created with the provider's own SDK."""
    method = getattr(gateway(), "payment_method_token", None)
    if method is None:
        raise InvalidCard("This shop takes card details, not payment methods.",
                          code="payment_method_not_accepted")
    return cast(CardToken, method(payment_method=payment_method))


def gateway_for(name: str) -> PaymentGateway:
    """The gateway that made a payment (refunds and settlement go back to it)."""
    current = gateway()
    if current.name == name:
        return current
    if name not in GATEWAYS:
        raise PaymentUnavailable()
    return cast(PaymentGateway, import_string(GATEWAYS[name])())


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
