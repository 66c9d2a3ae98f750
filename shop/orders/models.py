from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from shop.core.ownership import OwnedModel, OwnerKey, user_owner


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    PAID = "paid", "Paid"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


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
    currency = models.CharField(max_length=3, default=settings.SHOP_CURRENCY)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_total = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    item_count = models.PositiveIntegerField(default=0)

    ship_name = models.CharField(max_length=150)
    ship_line1 = models.CharField(max_length=200)
    ship_line2 = models.CharField(max_length=200, blank=True)
    ship_city = models.CharField(max_length=100)
    ship_postal_code = models.CharField(max_length=20)
    ship_country = models.CharField(max_length=2)
    shipping_method_code = models.CharField(max_length=40)
    shipping_method_name = models.CharField(max_length=100)

    payment_brand = models.CharField(max_length=20, blank=True)
    payment_last4 = models.CharField(max_length=4, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the shopper's history, newest first, keyset-paginated
            models.Index(fields=["user", "-created_at", "-id"], name="order_user_created_idx"),
            models.Index(fields=["status", "created_at"], name="order_status_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0"),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def owner_field_names(cls) -> tuple[str, ...]:
        return ("user_id",)

    @classmethod
    def owner_from_fields(cls, values: dict[str, Any]) -> OwnerKey:
        return user_owner(values["user_id"])

    @property
    def shipping_address(self) -> dict[str, str]:
        return {
            "name": self.ship_name,
            "line1": self.ship_line1,
            "line2": self.ship_line2,
            "city": self.ship_city,
            "postal_code": self.ship_postal_code,
            "country": self.ship_country,
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

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class Payment(models.Model):
    """A successful charge. Declined attempts leave no row (and no order)."""

    class Status(models.TextChoices):
        CAPTURED = "captured", "Captured"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=40)
    reference = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CAPTURED)
    brand = models.CharField(max_length=20, blank=True)
    last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "reference"], name="payment_reference_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.reference}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a user sent with a checkout. The key is the user's own: two users
    may use the same string. The fingerprint (a keyed hash of the request, without the card
    number) tells a retry from a different request sent with a reused key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_uniq")
        ]

    def __str__(self) -> str:
        return f"idempotency key {self.pk}"
