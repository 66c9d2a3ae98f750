"""The built-in test gateway's own books (shop/orders/payments/test_gateway.py).

A real provider remembers every charge and refund by the idempotency key it was given, so that
the shop can ask it later what happened. The test gateway keeps the same books here, written
outside the shop's transactions, so that a charge made by a process that then died can still
be looked up. (Imported by shop/orders/models.py: same app, same tables.)
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone

ZERO = Decimal("0.00")


class TestGatewayCharge(models.Model):
    __test__ = False  # not a pytest test class

    class Outcome(models.TextChoices):
        CHARGED = "charged", "Charged"
        DECLINED = "declined", "Declined"
        VOIDED = "voided", "Voided before it was charged"

    idempotency_key = models.CharField(max_length=64, unique=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reference = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    currency = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.outcome} {self.reference}"


class TestGatewayRefund(models.Model):
    __test__ = False

    idempotency_key = models.CharField(max_length=64, unique=True)
    reference = models.CharField(max_length=40)
    charge_reference = models.CharField(max_length=40)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.reference
