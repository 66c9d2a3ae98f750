"""Which cart a viewer may read (`cart_for`, a scoped query like those of
shop/policy/access.py), and reads of a cart's contents, which take a cart that came from
`cart_for`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from shop.accounts.principal import Principal
from shop.catalog.models import Variant
from shop.catalog.picker import quantity_offered
from shop.core.ownership import guest_token_get

from .models import MAX_LINE_QUANTITY, Cart, CartLine


def cart_for(
    *, viewer: Principal, session: SessionBase | None = None, for_update: bool = False
) -> Cart | None:
    """The viewer's cart, or None when there is none yet: a signed-in viewer's own cart; for
    a guest, the cart of this session's guest token (never a cart that belongs to a user)."""
    if viewer.is_authenticated:
        queryset = Cart.objects.filter(user_id=viewer.user_id)  # type: ignore[misc]
    else:
        token = guest_token_get(session) if session is not None else None
        if token is None:
            return None
        queryset = Cart.objects.filter(guest_token=token, user__isnull=True)
    if for_update:
        queryset = queryset.select_for_update()
    return queryset.order_by("pk").first()


@dataclass(frozen=True)
class CartLineView:
    sku: str
    name: str
    variant_label: str
    product_slug: str
    image: str
    quantity: int
    unit_price: Decimal
    currency: str
    available: int

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def max_quantity(self) -> int:
        """The most the cart's quantity input offers: MAX_LINE_QUANTITY, or what is left when
        few are (never the exact stock above the low-stock threshold: docs/catalog.md)."""
        return quantity_offered(self.available, most=MAX_LINE_QUANTITY)

    @property
    def has_options(self) -> bool:
        return self.variant_label != "Standard"


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLineView]
    # the shop's one currency, read when the summary is made (not when this module loads)
    currency: str = field(default_factory=lambda: settings.SHOP_CURRENCY)
    notices: list[str] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def fingerprint(self) -> str:
        """Changes whenever what the shopper would pay for changes (items, quantities,
        prices): the review step and the place-order step must agree on it."""
        text = "|".join(
            f"{line.sku}:{line.quantity}:{line.unit_price}"
            for line in sorted(self.lines, key=lambda line: line.sku)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


EMPTY_CART = CartSummary(lines=[])


def cart_lines(*, cart: Cart) -> list[CartLine]:
    """The cart's lines with their variant and product: one query, whatever the count."""
    return list(
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product")
        .order_by("added_at", "id")
    )


def line_view(line: CartLine, variant: Variant) -> CartLineView:
    product = variant.product
    return CartLineView(
        sku=variant.sku,
        name=product.name,
        variant_label=variant.label,
        product_slug=product.slug,
        image=product.image,
        quantity=line.quantity,
        unit_price=variant.price,
        currency=variant.currency,
        available=variant.available,
    )


def cart_item_count(*, cart: Cart | None) -> int:
    """Units in the cart, for the header badge: one query."""
    if cart is None:
        return 0
    return sum(CartLine.objects.filter(cart=cart).values_list("quantity", flat=True))
