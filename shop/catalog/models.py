from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone


class Category(models.Model):
    """A node of the category tree (parent is None at the top)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    # The lowest variant price, so that lists sort and filter on an indexed column. Kept by
    # database triggers on the variant table (migration 0004), so it follows every change of
    # a variant's price however it is made: the dashboard, Django's admin, the API, a script's
    # queryset update, a bulk insert.
    price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    # Path of the main image under MEDIA_ROOT (the first ProductImage), for list pages.
    image = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # What search matches on PostgreSQL: name and category names, folded (no accents, lower
    # case) and stemmed. Kept by database triggers and GIN-indexed (migration 0006); empty on
    # SQLite, where search folds the name itself (shop/catalog/search.py).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # keyset pagination: one index per sort, with and without a category
            models.Index(fields=["price", "id"], name="product_price_idx"),
            models.Index(fields=["name", "id"], name="product_name_idx"),
            models.Index(fields=["created_at", "id"], name="product_created_idx"),
            models.Index(fields=["category", "price", "id"], name="product_cat_price_idx"),
            models.Index(fields=["category", "name", "id"], name="product_cat_name_idx"),
            models.Index(fields=["category", "created_at", "id"], name="product_cat_created_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def currency(self) -> str:
        """The shop's one currency (settings.SHOP_CURRENCY): prices are never in another."""
        return settings.SHOP_CURRENCY


class Variant(models.Model):
    """One buyable thing: a product in one combination of options (size, colour)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    options = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    stock = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "stock"], name="variant_product_stock_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="variant_stock_gte_0"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="variant_price_gte_0"),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def currency(self) -> str:
        return settings.SHOP_CURRENCY

    @property
    def available(self) -> int:
        """Units that can be bought now."""
        return self.stock

    @property
    def label(self) -> str:
        return " / ".join(str(value) for value in self.options.values()) or "Standard"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    path = models.CharField(max_length=255)
    alt = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    # The colour (a value of the variants' "colour" option) this image shows, or "" for any:
    # the product page shows it first when that colour is chosen. One image per colour.
    colour = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.path


class StockAdjustmentReason(models.TextChoices):
    RECEIVED = "received", "Delivery received"
    COUNT = "count", "Stock count correction"
    DAMAGED = "damaged", "Damaged or lost"
    RETURNED = "returned", "Returned by a customer"
    OTHER = "other", "Other"


class StockAdjustment(models.Model):
    """A change of stock made by a person, with who and why (stock_adjust in
    shop/orders/stock.py). Sales and cancellations move stock through the same module and are
    not listed here."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="adjustments")
    delta = models.IntegerField()
    stock_after = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=StockAdjustmentReason.choices)
    note = models.CharField(max_length=200, blank=True)
    # A plain number: the record outlives the staff account.
    actor_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["variant", "-created_at"], name="stockadj_variant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} {self.variant_id}"
