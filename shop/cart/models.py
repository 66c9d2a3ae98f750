from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from shop.core.ownership import OwnedModel, OwnerKey, guest_owner, user_owner

MAX_LINE_QUANTITY = 99


class Cart(OwnedModel):
    """A shopper's cart: bound to a user, or to one browser session through a random guest
    token (never both). Guest carts are found only through their own session's token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
    )
    guest_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, guest_token__isnull=True)
                    | models.Q(user__isnull=True, guest_token__isnull=False)
                ),
                name="cart_user_xor_guest",
            )
        ]
        indexes = [models.Index(fields=["updated_at"], name="cart_updated_idx")]

    def __str__(self) -> str:
        return f"cart {self.pk}"

    @classmethod
    def owner_field_names(cls) -> tuple[str, ...]:
        return ("user_id", "guest_token")

    @classmethod
    def owner_from_fields(cls, values: dict[str, Any]) -> OwnerKey:
        if values["user_id"] is not None:
            return user_owner(values["user_id"])
        return guest_owner(values["guest_token"])


class CartLine(models.Model):
    """One variant in a cart. The SKU and name are kept so that a line whose variant vanished
    can still be named when it is removed."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cartline_cart_variant_uniq"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_LINE_QUANTITY),
                name="cartline_quantity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
