"""The built-in test gateway: no money moves, the card number decides the outcome.

- 4242 4242 4242 4242 succeeds;
- 4000 0000 0000 0002 is declined (at charge time, like a real issuer);
- any other well-formed number is declined too: this is a test shop, real cards are refused.

Tokens are signed (django.core.signing), carry the outcome, the brand and the last four digits,
and expire after an hour: nothing about the card has to be stored anywhere.

Like a real provider it remembers what it did, by the idempotency key the shop sent
(TestGatewayCharge, TestGatewayRefund: its own tables, written outside the shop's
transactions): the same key again answers the same charge or refund; `charge_settle` voids a
key that was never charged, so that a charge arriving later with it is refused (the unique
key decides which of the two came first); refunds never exceed what was charged.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Sum

from ..models import TestGatewayCharge, TestGatewayRefund
from . import (
    REFUND_ARRIVED,
    CardDetails,
    CardToken,
    Charge,
    ChargeOutcome,
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
Outcome = TestGatewayCharge.Outcome


class TestGateway:
    __test__ = False  # a payment gateway, not a pytest test class
    name = "test"
    hosted = False

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

    # --- charges

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
        try:
            payload = signing.loads(
                token.token.removeprefix("tok_test_"), salt=SIGNING_NAMESPACE,
                max_age=TOKEN_MAX_AGE,
            )
        except signing.BadSignature:
            raise PaymentDeclined(
                "Your payment details expired. Enter your card again; nothing was charged."
            ) from None
        charged = payload.get("o") == "ok"
        record = self._record(
            idempotency_key,
            outcome=Outcome.CHARGED if charged else Outcome.DECLINED,
            reference="tch_" + secrets.token_hex(12) if charged else "",
            amount=amount if charged else Decimal("0.00"),
            currency=currency,
        )
        if record.outcome == Outcome.VOIDED:
            raise PaymentDeclined(
                "This payment was cancelled because it took too long. Nothing was charged."
            )
        if record.outcome == Outcome.DECLINED:
            raise PaymentDeclined()
        return Charge(reference=record.reference, amount=record.amount,
                      currency=record.currency)

    def charge_settle(self, *, idempotency_key: str, provider_id: str = "") -> ChargeOutcome:
        record = self._record(idempotency_key, outcome=Outcome.VOIDED, reference="",
                              amount=Decimal("0.00"), currency="")
        if record.outcome == Outcome.CHARGED:
            return ChargeOutcome(charged=True, reference=record.reference,
                                 amount=record.amount)
        return ChargeOutcome(charged=False)

    @staticmethod
    def _record(key: str, **values: Any) -> TestGatewayCharge:
        """The first answer given for `key`: this one, unless the key was seen before (the
        unique key decides which of two racing calls was first)."""
        try:
            if not transaction.get_connection().in_atomic_block:
                # autocommit: one statement, its own transaction, nothing to roll back if
                # the key was there (a provider's books are not the shop's transaction)
                return TestGatewayCharge.objects.create(idempotency_key=key, **values)
            with transaction.atomic():
                return TestGatewayCharge.objects.create(idempotency_key=key, **values)
        except IntegrityError:
            return TestGatewayCharge.objects.get(idempotency_key=key)

    # --- refunds

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str,
        reference: str,
    ) -> Refund:
        """Refunds part or all of a charge this gateway made; the same key again returns the
        same refund; never more than what is left of the charge."""
        done = self.refund_lookup(idempotency_key=idempotency_key,
                                  charge_reference=charge_reference)
        if done is not None:
            return done
        with transaction.atomic():
            charge = (TestGatewayCharge.objects.select_for_update()
                      .filter(reference=charge_reference, outcome=Outcome.CHARGED).first())
            if charge is None or amount <= 0:
                raise RefundFailed()
            refunded = TestGatewayRefund.objects.filter(
                charge_reference=charge_reference
            ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
            if refunded + amount > charge.amount:
                raise RefundFailed("The payment service refused the refund: it is more than "
                                   "what is left of the payment. Nothing was refunded.")
            try:
                with transaction.atomic():
                    row = TestGatewayRefund.objects.create(
                        idempotency_key=idempotency_key, reference="tre_" + secrets.token_hex(12),
                        charge_reference=charge_reference, amount=amount, currency=currency,
                    )
            except IntegrityError:
                row = TestGatewayRefund.objects.get(idempotency_key=idempotency_key)
        return _refund(row)

    def refund_lookup(self, *, idempotency_key: str, charge_reference: str) -> Refund | None:
        row = TestGatewayRefund.objects.filter(idempotency_key=idempotency_key).first()
        return _refund(row) if row is not None else None

    def refund_status(self, *, reference: str) -> str | None:
        """This gateway's refunds arrive at once."""
        return REFUND_ARRIVED if TestGatewayRefund.objects.filter(
            reference=reference).exists() else None


def _refund(row: TestGatewayRefund) -> Refund:
    return Refund(reference=row.reference, charge_reference=row.charge_reference,
                  amount=row.amount, currency=row.currency)
