"""Discount codes, the code a cart carries, and each use of a code by an order.

A code's `used_count` is the guarantee of its total limit: it only ever grows through one
conditional UPDATE (`used_count = used_count + 1 WHERE used_count < max_uses`, services.py)
inside the order's transaction, and the CHECK constraint says it never exceeds `max_uses`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from shop.core.money import cents, percent_of

CODE_MAX_LENGTH = 32


class DiscountCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage of the subtotal"
        FIXED = "fixed", "Fixed amount"

    code = models.CharField(max_length=CODE_MAX_LENGTH, unique=True)  # upper case
    description = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    # percent: 0 < value <= 100; fixed: an amount in the shop's currency
    value = models.DecimalField(max_digits=10, decimal_places=2)
    minimum_subtotal = models.DecimalField(max_digits=10, decimal_places=2, null=True,
                                           blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="empty: no limit")
    max_uses_per_customer = models.PositiveIntegerField(null=True, blank=True,
                                                        help_text="empty: no limit")
    used_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gt=0), name="discount_value_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="discount_percent_lte_100"),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True)
                | models.Q(used_count__lte=models.F("max_uses")),
                name="discount_used_within_max"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        if self.kind == self.Kind.PERCENT:
            return f"{self.value.normalize():f} % off"
        return f"{self.value} off"

    @property
    def uses_left(self) -> int | None:
        return None if self.max_uses is None else max(0, self.max_uses - self.used_count)

    def amount_for(self, subtotal: Decimal) -> Decimal:
        """What the code takes off `subtotal` (never more than it)."""
        if subtotal <= 0:
            return Decimal("0.00")
        if self.kind == self.Kind.PERCENT:
            return min(percent_of(subtotal, self.value), subtotal)
        return min(cents(self.value), subtotal)


class CartDiscount(models.Model):
    """The code a cart carries (one at most), checked again whenever the cart is priced."""

    cart = models.OneToOneField("cart.Cart", on_delete=models.CASCADE,
                                related_name="discount")
    code = models.ForeignKey(DiscountCode, on_delete=models.CASCADE, related_name="+")
    applied_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.code_id} on cart {self.cart_id}"


class DiscountRedemption(models.Model):
    """One use of a code by one order (written in the order's transaction, removed if the
    order is never paid). The order and the customer are plain ids: this app sits below
    orders, and the record outlives an erased account."""

    code = models.ForeignKey(DiscountCode, on_delete=models.PROTECT, related_name="uses")
    order_id = models.PositiveBigIntegerField(unique=True)
    user_id = models.PositiveBigIntegerField(null=True, blank=True)
    email = models.CharField(max_length=254, blank=True)  # lower case, for guest orders
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["code", "user_id"], name="redemption_code_user_idx"),
            models.Index(fields=["code", "email"], name="redemption_code_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code_id} by order {self.order_id}"
