"""The built-in test gateway (docs/contract.md §3): no money moves, the card number decides the
outcome.

- 4242 4242 4242 4242 succeeds;
- 4000 0000 0000 0002 is declined (at charge time, like a real issuer);
- any other well-formed number is declined too: this is a test shop, real cards are refused.

Tokens are signed (django.core.signing), carry the outcome, the brand and the last four digits,
and expire after an hour: nothing about the card has to be stored anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from decimal import Decimal

from django.conf import settings
from django.core import signing

from . import (
    CardDetails,
    CardToken,
    Charge,
    PaymentDeclined,
    Refund,
    RefundFailed,
    card_brand,
    card_validate,
)

SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
SIGNING_NAMESPACE = "shop.orders.payments.test_gateway"
TOKEN_MAX_AGE = 60 * 60


class TestGateway:
    __test__ = False  # a payment gateway, not a pytest test class
    name = "test"

    def tokenize(self, *, card: CardDetails) -> CardToken:
        digits = card_validate(card)
        outcome = "ok" if digits == SUCCESS_CARD else "decline"
        payload = {"o": outcome, "n": secrets.token_hex(8)}
        return CardToken(
            token="tok_test_" + signing.dumps(payload, salt=SIGNING_NAMESPACE, compress=True),
            brand=card_brand(digits),
            last4=digits[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )

    def charge(
        self, *, token: CardToken, amount: Decimal, currency: str, reference: str
    ) -> Charge:
        try:
            payload = signing.loads(
                token.token.removeprefix("tok_test_"), salt=SIGNING_NAMESPACE, max_age=TOKEN_MAX_AGE
            )
        except signing.BadSignature:
            raise PaymentDeclined(
                "Your payment details expired. Enter your card again; nothing was charged."
            ) from None
        if payload.get("o") != "ok":
            raise PaymentDeclined()
        # Idempotent at the "gateway": the same order always gets the same charge id.
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"charge:{reference}".encode(), hashlib.sha256
        ).hexdigest()
        return Charge(reference=f"tch_{digest[:24]}", amount=amount, currency=currency)

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, reference: str
    ) -> Refund:
        """Refunds any charge this gateway made (references start with "tch_"); idempotent:
        the same reference always gets the same refund id."""
        if not charge_reference.startswith("tch_") or amount <= 0:
            raise RefundFailed()
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"refund:{reference}".encode(), hashlib.sha256
        ).hexdigest()
        return Refund(
            reference=f"tre_{digest[:24]}",
            charge_reference=charge_reference,
            amount=amount,
            currency=currency,
        )
