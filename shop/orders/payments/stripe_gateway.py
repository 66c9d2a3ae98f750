"""Stripe, through the `stripe` package: a real payment provider beside the test gateway.

Configured by STRIPE_SECRET_KEY (and STRIPE_WEBHOOK_SECRET for the webhook,
shop/orders/payments/stripe_webhooks.py); SHOP_PAYMENT_GATEWAY =
"shop.orders.payments.stripe_gateway.StripeGateway" puts new payments through it.

The shop never sees a card number with Stripe:
- the storefront sends the shopper to Stripe's hosted Checkout page (`hosted_session`), which
  takes the card (3-D Secure included) and sends them back; the CSP allows exactly that
  page as a form target (settings.STRIPE_CHECKOUT_ORIGIN);
- API clients (a mobile app) create a PaymentMethod with Stripe's own SDK and send its id
  (`pm_...`); `payment_method_token` turns it into the shop's CardToken (brand, last four).

Every call carries an idempotency key derived from the key of the Payment or Refund row the
shop committed first, so a retry (ours, or the stripe package's own network retries) never
charges or refunds twice. A charge is made in two calls: the PaymentIntent is created
unconfirmed, its id recorded by the shop (`on_provider_id`), and only then confirmed; so the
shop always knows the id of anything that can have taken money, and `charge_settle` can ask
about it (and cancel it first when it is still open).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

import stripe
from django.conf import settings

from . import (
    REFUND_ARRIVED,
    REFUND_BOUNCED,
    REFUND_PENDING,
    CardDetails,
    CardToken,
    Charge,
    ChargeOutcome,
    InvalidCard,
    PaymentDeclined,
    PaymentUnavailable,
    PaymentUncertain,
    Refund,
    RefundFailed,
)

logger = logging.getLogger("shop.orders.stripe")

# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX",
                "VND", "VUV", "XAF", "XOF", "XPF"}
OPEN_INTENT = {"requires_payment_method", "requires_confirmation", "requires_action",
               "requires_capture"}
# A refund Stripe accepted but has not settled; `failed`/`canceled` later means not repaid.
REFUND_UNSETTLED = {"pending", "requires_action"}
REFUND_DEAD = {"failed", "canceled"}
# Stripe lets a Checkout Session live at least 30 minutes.
SESSION_LIFETIME = dt.timedelta(minutes=31)


def _plain(obj: Any) -> dict[str, Any]:
    """A response of the stripe package as plain dicts and lists."""
    return cast(dict[str, Any], obj.to_dict() if hasattr(obj, "to_dict") else obj)


def minor_units(amount: Decimal, currency: str) -> int:
    if currency.upper() in ZERO_DECIMAL:
        return int(amount)
    return int((amount * 100).to_integral_value())


def from_minor(value: int, currency: str) -> Decimal:
    if currency.upper() in ZERO_DECIMAL:
        return Decimal(value)
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


class StripeGateway:
    name = "stripe"
    hosted = True

    def __init__(self) -> None:
        if not settings.STRIPE_SECRET_KEY:
            raise PaymentUnavailable()
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=2,
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
        )

    # --- cards: never here

    def tokenize(self, *, card: CardDetails) -> CardToken:
        raise InvalidCard(
            "Card numbers are not accepted here: pay on the secure payment page, or send a "
            "payment method created with Stripe's own SDK.", code="card_number_not_accepted",
        )

    def payment_method_token(self, *, payment_method: str) -> CardToken:
        """The shop's token for a PaymentMethod a client created with Stripe's SDK."""
        try:
            method = _plain(self.client.v1.payment_methods.retrieve(payment_method))
        except stripe.InvalidRequestError:
            raise InvalidCard("This payment method is not valid.",
                              code="invalid_payment_method") from None
        except stripe.StripeError:
            raise PaymentUnavailable() from None
        card = method.get("card") or {}
        return CardToken(token=method["id"], brand=str(card.get("brand") or "card")[:20],
                         last4=str(card.get("last4") or "")[:4],
                         exp_month=int(card.get("exp_month") or 0),
                         exp_year=int(card.get("exp_year") or 0))

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
        metadata = {"order": reference, "attempt": idempotency_key}
        try:
            intent = _plain(self.client.v1.payment_intents.create(
                {
                    "amount": minor_units(amount, currency),
                    "currency": currency.lower(),
                    "payment_method": token.token,
                    "description": f"Order {reference}",
                    "metadata": metadata,
                    "automatic_payment_methods": {"enabled": True,
                                                  "allow_redirects": "never"},
                },
                {"idempotency_key": f"{idempotency_key}:create"},
            ))
        except stripe.CardError:
            raise PaymentDeclined() from None
        except (stripe.APIConnectionError, stripe.APIError):
            # nothing is confirmed before its id is recorded: nothing was charged
            raise PaymentUnavailable() from None
        except stripe.StripeError:
            logger.exception("stripe refused to create a payment")
            raise PaymentUnavailable() from None
        if on_provider_id is not None:
            on_provider_id(intent["id"])
        try:
            intent = _plain(self.client.v1.payment_intents.confirm(
                intent["id"], {}, {"idempotency_key": f"{idempotency_key}:confirm"}
            ))
        except stripe.CardError:
            raise PaymentDeclined() from None
        except (stripe.APIConnectionError, stripe.APIError):
            raise PaymentUncertain() from None
        except stripe.StripeError:
            logger.exception("stripe refused to confirm a payment")
            raise PaymentUncertain() from None
        if intent["status"] == "succeeded":
            return Charge(reference=intent["id"],
                          amount=from_minor(intent["amount_received"] or intent["amount"],
                                            currency),
                          currency=currency)
        if intent["status"] == "processing":
            raise PaymentUncertain()
        self._cancel_intent(intent["id"])
        raise PaymentDeclined(
            "Your bank asked for an extra check this payment cannot do here; nothing was "
            "charged. Pay on the secure payment page of our shop instead."
        )

    def charge_settle(self, *, idempotency_key: str, provider_id: str) -> ChargeOutcome | None:
        """A hosted session that is still open and not past its expiry is left alone (None:
        the shopper may be paying right now); Stripe expires it on time."""
        if not provider_id:  # never confirmed (nothing is, before its id is recorded)
            return ChargeOutcome(charged=False)
        try:
            if provider_id.startswith("cs_"):
                return self._session_settle(provider_id, expire=False)
            return self._intent_settle(provider_id)
        except (stripe.APIConnectionError, stripe.APIError):
            raise PaymentUnavailable() from None

    def charge_cancel(self, *, provider_id: str) -> ChargeOutcome | None:
        """The shopper gave up on the hosted page: close the session now, then say what
        became of it."""
        try:
            if provider_id.startswith("cs_"):
                return self._session_settle(provider_id, expire=True)
            return self._intent_settle(provider_id)
        except (stripe.APIConnectionError, stripe.APIError):
            raise PaymentUnavailable() from None

    def charge_status(self, *, provider_id: str) -> ChargeOutcome | None:
        """What became of an attempt so far, without changing it (the shopper's return from
        the hosted page): charged, not charged for good, or None (still open)."""
        try:
            if provider_id.startswith("cs_"):
                session = _plain(self.client.v1.checkout.sessions.retrieve(provider_id))
                return self._session_outcome(session)
            intent = _plain(self.client.v1.payment_intents.retrieve(provider_id))
            return self._intent_outcome(intent)
        except (stripe.APIConnectionError, stripe.APIError):
            raise PaymentUnavailable() from None

    def _intent_outcome(self, intent: dict[str, Any]) -> ChargeOutcome | None:
        if intent["status"] == "succeeded":
            return ChargeOutcome(charged=True, reference=intent["id"],
                                 amount=from_minor(intent["amount_received"],
                                                   intent["currency"]))
        if intent["status"] == "canceled":
            return ChargeOutcome(charged=False)
        return None

    def _intent_settle(self, intent_id: str) -> ChargeOutcome | None:
        intent = _plain(self.client.v1.payment_intents.retrieve(intent_id))
        if intent["status"] in OPEN_INTENT:
            intent = self._cancel_intent(intent_id) or _plain(
                self.client.v1.payment_intents.retrieve(intent_id))
        return self._intent_outcome(intent)

    def _cancel_intent(self, intent_id: str) -> dict[str, Any] | None:
        try:
            return _plain(self.client.v1.payment_intents.cancel(intent_id))
        except stripe.InvalidRequestError:  # it moved on meanwhile (succeeded, processing)
            return None

    # --- the hosted page (storefront)

    def hosted_session(self, *, amount: Decimal, currency: str, idempotency_key: str,
                       reference: str, email: str, success_url: str, cancel_url: str
                       ) -> tuple[str, str]:
        """A Checkout Session for the order: (its id, the URL of Stripe's page)."""
        metadata = {"order": reference, "attempt": idempotency_key}
        expires = dt.datetime.now(dt.UTC) + SESSION_LIFETIME
        try:
            params: Any = {
                "mode": "payment",
                "line_items": [{
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": minor_units(amount, currency),
                        "product_data": {"name": f"{settings.SHOP_NAME} order {reference}"},
                    },
                }],
                "customer_email": email or None,
                "client_reference_id": reference,
                "metadata": metadata,
                "payment_intent_data": {"metadata": metadata,
                                        "description": f"Order {reference}"},
                "success_url": success_url,
                "cancel_url": cancel_url,
                "expires_at": int(expires.timestamp()),
            }
            session = _plain(self.client.v1.checkout.sessions.create(
                params, {"idempotency_key": f"{idempotency_key}:session"}))
        except stripe.StripeError:
            logger.exception("stripe refused to open a checkout session")
            raise PaymentUnavailable() from None
        return session["id"], session["url"]

    def _session_outcome(self, session: dict[str, Any]) -> ChargeOutcome | None:
        if session["status"] == "complete" and session["payment_status"] == "paid":
            return ChargeOutcome(charged=True, reference=str(session["payment_intent"]),
                                 amount=from_minor(session["amount_total"],
                                                   session["currency"]))
        if session["status"] == "expired":
            return ChargeOutcome(charged=False)
        return None

    def _session_settle(self, session_id: str, *, expire: bool) -> ChargeOutcome | None:
        session = _plain(self.client.v1.checkout.sessions.retrieve(session_id))
        past_expiry = (session.get("expires_at") or 0) <= dt.datetime.now(dt.UTC).timestamp()
        if session["status"] == "open" and (expire or past_expiry):
            try:
                session = _plain(self.client.v1.checkout.sessions.expire(session_id))
            except stripe.InvalidRequestError:  # completed meanwhile
                session = _plain(self.client.v1.checkout.sessions.retrieve(session_id))
        return self._session_outcome(session)

    # --- refunds

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str,
        reference: str,
    ) -> Refund:
        try:
            refund = _plain(self.client.v1.refunds.create(
                {
                    "payment_intent": charge_reference,
                    "amount": minor_units(amount, currency),
                    "metadata": {"order": reference, "attempt": idempotency_key},
                },
                {"idempotency_key": idempotency_key},
            ))
        except stripe.InvalidRequestError:
            logger.warning("stripe refused a refund", extra={"order": reference})
            raise RefundFailed() from None
        except (stripe.APIConnectionError, stripe.APIError):
            raise PaymentUncertain() from None
        except stripe.StripeError:
            raise PaymentUnavailable() from None
        if refund["status"] in REFUND_DEAD:
            raise RefundFailed()
        return Refund(reference=refund["id"], charge_reference=charge_reference,
                      amount=from_minor(refund["amount"], currency), currency=currency,
                      pending=refund["status"] in REFUND_UNSETTLED)

    def refund_lookup(self, *, idempotency_key: str, charge_reference: str) -> Refund | None:
        try:
            refunds = _plain(self.client.v1.refunds.list(
                {"payment_intent": charge_reference, "limit": 100}))
        except (stripe.APIConnectionError, stripe.APIError):
            raise PaymentUnavailable() from None
        for refund in refunds["data"]:
            if (refund.get("metadata") or {}).get("attempt") == idempotency_key and \
                    refund["status"] not in REFUND_DEAD:
                return Refund(reference=refund["id"], charge_reference=charge_reference,
                              amount=from_minor(refund["amount"], refund["currency"]),
                              currency=refund["currency"].upper(),
                              pending=refund["status"] in REFUND_UNSETTLED)
        return None

    def refund_status(self, *, reference: str) -> str | None:
        try:
            refund = _plain(self.client.v1.refunds.retrieve(reference))
        except stripe.StripeError:
            return None
        return refund_status_of(refund)


def refund_status_of(refund: dict[str, Any]) -> str:
    """What Stripe's refund object says of an accepted refund."""
    if refund.get("status") in REFUND_DEAD:
        return REFUND_BOUNCED
    return REFUND_PENDING if refund.get("status") in REFUND_UNSETTLED else REFUND_ARRIVED
