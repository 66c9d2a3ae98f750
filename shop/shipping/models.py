from django.conf import settings
from django.db import models


class ShippingMethod(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="shipping_price_gte_0")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def currency(self) -> str:
        """The shop's one currency (settings.SHOP_CURRENCY)."""
        return settings.SHOP_CURRENCY
