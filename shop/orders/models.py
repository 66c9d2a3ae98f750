"""Orders and the money that moves for them.

Every movement of money is a row written (and committed) before the payment provider is
called, and settled after it answered: a `Payment` (one charge attempt, `charging` ->
`captured`, `declined` or `failed`) and a `Refund` (`refunding` -> `refunded`, `pending` or
`failed`; a pending one later `refunded` or `bounced`).
While one of them is in flight, `Order.money_in_flight` says so and no other action may move
the order (shop/orders/state.py). `OrderEvent` is the order's timeline.
"""

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from shop.core.ownership import OwnedModel, OwnerKey, guest_order_owner, user_owner

# the built-in test gateway's own books, kept beside (not in) the shop's
from .gateway_books import TestGatewayCharge as TestGatewayCharge
from .gateway_books import TestGatewayRefund as TestGatewayRefund

ZERO = Decimal("0.00")


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    PAID = "paid", "Paid"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class MoneyInFlight(models.TextChoices):
    """What the payment provider is being asked for this order right now (nothing: "")."""

    NONE = "", "Nothing"
    CHARGE = "charge", "A charge"
    REFUND = "refund", "A refund"


def payment_key_new() -> str:
    """The idempotency key sent to the provider with a charge: random, never reused."""
    return "pay_" + secrets.token_urlsafe(24)


def refund_key_new() -> str:
    return "ref_" + secrets.token_urlsafe(24)


class Order(OwnedModel):
    """A placed order. Prices, totals and the address are copies taken at checkout, so the
    order reads the same whatever happens to the catalog later. No card number is kept: only
    the brand and the last four digits."""

    # Opaque and non-sequential ("BFM-" + 10 base32 characters, shop/orders/numbers.py).
    number = models.CharField(max_length=20, unique=True)
    # SET_NULL: erasing an account anonymises its orders (accounts keep the books, not the
    # person).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    # A charge or refund the provider has been asked for and whose answer is not recorded
    # yet. Every transition (shop/orders/state.py) requires it empty, or is the one that
    # empties it.
    money_in_flight = models.CharField(
        max_length=10, choices=MoneyInFlight.choices, default=MoneyInFlight.NONE, blank=True
    )
    # The order's amounts. Issue-14-style additions (discount, tax) go next to these; `total`
    # is what was charged.
    currency = models.CharField(max_length=3, default=settings.SHOP_CURRENCY)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_total = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    # Discount and tax (issue 14, shop/orders/pricing.py): total = subtotal - discount_total +
    # shipping_total (+ tax_total, shipping_tax included, unless tax_included).
    discount_code = models.CharField(max_length=32, blank=True)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    tax_included = models.BooleanField(default=False)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=5, default=ZERO)
    shipping_tax = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    # Settled refunds, kept with the order (the sum of its refunded Refund rows).
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    item_count = models.PositiveIntegerField(default=0)

    ship_name = models.CharField(max_length=150)
    ship_line1 = models.CharField(max_length=200)
    ship_line2 = models.CharField(max_length=200, blank=True)
    ship_city = models.CharField(max_length=100)
    ship_state = models.CharField(max_length=100, blank=True)
    ship_postal_code = models.CharField(max_length=20)
    ship_country = models.CharField(max_length=2)
    ship_phone = models.CharField(max_length=32, blank=True)
    shipping_method_code = models.CharField(max_length=40)
    shipping_method_name = models.CharField(max_length=100)

    payment_brand = models.CharField(max_length=20, blank=True)
    payment_last4 = models.CharField(max_length=4, blank=True)

    tracking_carrier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=60, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the order's units went back on the shelf: once at most (a conditional UPDATE on
    # this column is what gives stock back, shop/orders/stock.py).
    restocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the shopper's history, newest first, keyset-paginated
            models.Index(fields=["user", "-created_at", "-id"], name="order_user_created_idx"),
            models.Index(fields=["status", "created_at"], name="order_status_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(
                condition=models.Q(amount_refunded__gte=0)
                & models.Q(amount_refunded__lte=models.F("total")),
                name="order_refunded_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def owner_field_names(cls) -> tuple[str, ...]:
        return ("user_id", "id")

    @classmethod
    def owner_from_fields(cls, values: dict[str, Any]) -> OwnerKey:
        """A user's order is theirs; an order without a user (a guest's, or an erased
        account's) belongs to whoever proved its order token in this request
        (shop/policy/access.py `access_guest_order` grants it)."""
        if values["user_id"] is None:
            return guest_order_owner(values["id"])
        return user_owner(values["user_id"])

    @property
    def tracking(self) -> dict[str, str] | None:
        if not (self.tracking_carrier or self.tracking_number):
            return None
        return {"carrier": self.tracking_carrier, "number": self.tracking_number}

    @property
    def shipping_address(self) -> dict[str, str]:
        return {
            "name": self.ship_name,
            "line1": self.ship_line1,
            "line2": self.ship_line2,
            "city": self.ship_city,
            "state": self.ship_state,
            "postal_code": self.ship_postal_code,
            "country": self.ship_country,
            "phone": self.ship_phone,
        }


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=200)
    variant_label = models.CharField(max_length=200, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    # this line's share of the order's discount, and its tax (rounded per line)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderEvent(models.Model):
    """One step of an order's timeline, written in the same transaction as the change."""

    class Kind(models.TextChoices):
        PLACED = "placed", "Placed"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Shipped"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"
        REFUND_FAILED = "refund_failed", "Refund failed"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # the order's status after this event
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="orderevent_order_at_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.order_id}"


class Payment(models.Model):
    """One charge attempt, recorded (`charging`) and committed before the provider is asked,
    with the idempotency key the provider is given; settled after its answer, by the request
    that asked, a webhook, or the reconciliation job (shop/orders/payments/settle.py), which
    asks the provider by the same key."""

    class Status(models.TextChoices):
        CHARGING = "charging", "Charging"
        CAPTURED = "captured", "Captured"
        REFUNDED = "refunded", "Refunded"  # captured, then refunded in full
        DECLINED = "declined", "Declined"
        FAILED = "failed", "Not charged"  # cancelled at the provider, or never reached it

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=64, unique=True, default=payment_key_new)
    # The provider's id of the attempt before it is settled (a Stripe PaymentIntent or
    # Checkout Session), when it has one.
    provider_id = models.CharField(max_length=100, blank=True)
    # The provider's id of the captured charge.
    reference = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CAPTURED)
    brand = models.CharField(max_length=20, blank=True)
    last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "reference"], name="payment_reference_uniq",
                condition=~models.Q(reference=""),
            ),
            models.CheckConstraint(
                condition=models.Q(amount_refunded__gte=0)
                & models.Q(amount_refunded__lte=models.F("amount")),
                name="payment_refunded_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_idx")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.reference or self.idempotency_key}"


class Refund(models.Model):
    """Money given back for a payment: recorded (`refunding`) before the provider is asked,
    settled after (`pending` while the provider has not settled it; `bounced` when it failed
    after all: docs/orders.md). `cancels_order`: the refund of a cancellation."""

    class Status(models.TextChoices):
        REFUNDING = "refunding", "Refunding"
        PENDING = "pending", "Sent, on its way to the card"
        REFUNDED = "refunded", "Refunded"
        FAILED = "failed", "Refused by the provider"
        BOUNCED = "bounced", "Failed after it was sent: not repaid"
    GIVEN_BACK = (Status.PENDING, Status.REFUNDED)  # the money counts as given back

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    idempotency_key = models.CharField(max_length=64, unique=True, default=refund_key_new)
    reference = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices,
                              default=Status.REFUNDING)
    reason = models.CharField(max_length=200, blank=True)
    cancels_order = models.BooleanField(default=False)
    restock = models.BooleanField(default=False)
    # who asked (a plain id: the record outlives the staff account); null: the shop itself
    actor_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_gt_0"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status_idx")]

    def __str__(self) -> str:
        return f"refund {self.reference or self.idempotency_key}"


class GuestOrder(models.Model):
    """What makes an order a guest's (shop/orders/guest.py): the hash of its order token and
    the nonce the token is derived from (so that the confirmation e-mail, rendered later by
    the outbox worker, and an idempotent replay can give the same token again without the
    token being stored). `claimed_at`: a signed-in shopper proved the mailbox and took the
    order into their account; the token no longer opens it."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, primary_key=True,
                                 related_name="guest")
    token_hash = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64)
    # the shop's address as the guest reached it: the base of the e-mailed order link
    site_url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"guest order {self.pk}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a user sent with a checkout. The key is the user's own: two users
    may use the same string. The fingerprint (a keyed hash of the request, without the card
    number) tells a retry from a different request sent with a reused key. A guest's key
    (no user) is scoped by a keyed hash of the guest's e-mail address instead (`scope`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    scope = models.CharField(max_length=64, blank=True, default="")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_uniq"),
            models.UniqueConstraint(fields=["scope", "key"], condition=models.Q(user=None),
                                    name="idempotency_guest_scope_key_uniq"),
        ]

    def __str__(self) -> str:
        return f"idempotency key {self.pk}"


class ProviderEvent(models.Model):
    """A webhook event a payment provider sent, by its id: each is applied once, whatever
    the number of deliveries (providers deliver at least once, in any order)."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=60)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"],
                                    name="provider_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
