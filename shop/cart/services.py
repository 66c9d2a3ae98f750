"""Writes to carts: add, change, remove, merge at sign-in, and keeping a cart honest.

Every function takes a cart that came from shop.cart.selectors.cart_for (or cart_obtain, which
goes through it). A mutation first touches the cart row (`UPDATE ... SET updated_at`), which
also locks it on PostgreSQL, so two requests changing the same cart queue instead of racing.
Quantities are checked against the stock available now and capped at MAX_LINE_QUANTITY.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from shop.accounts.models import User
from shop.accounts.principal import Principal
from shop.catalog.models import Variant
from shop.core.errors import Conflict, InvalidInput, NotFound
from shop.core.ownership import guest_token_obtain, guest_token_retire

from .models import MAX_LINE_QUANTITY, Cart, CartLine
from .selectors import EMPTY_CART, CartSummary, cart_for, cart_lines, line_view

MAX_SKU_LENGTH = 64
# Sent inside the merge's transaction, before the guest cart is deleted:
# (sender=Cart, guest_cart_id, cart_id).
guest_cart_merged = Signal()
# As long as a session lives (settings.SESSION_COOKIE_AGE is 14 days), and a little more.
GUEST_CART_LIFETIME = dt.timedelta(days=30)


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = "This item is sold out."


class QuantityLimit(Conflict):
    code = "quantity_limit"
    message = f"You can buy at most {MAX_LINE_QUANTITY} of one item."


@dataclass(frozen=True)
class CartChange:
    """What a change did, in words for the shopper when it did less than asked."""

    notices: list[str] = field(default_factory=list)


def _display(variant: Variant) -> str:
    label = variant.label
    return variant.product.name if label == "Standard" else f"{variant.product.name} ({label})"


def _check_quantity(quantity: int, *, allow_zero: bool = False) -> None:
    low = 0 if allow_zero else 1
    if type(quantity) is not int or not low <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidInput(
            f"The quantity must be a whole number from {low} to {MAX_LINE_QUANTITY}.",
            code="invalid_quantity",
        )


def _check_sku(sku: str) -> None:
    if not sku or len(sku) > MAX_SKU_LENGTH or not sku.isprintable():
        raise InvalidInput("There is no product with this SKU.", code="unknown_sku")


def _touch(cart: Cart) -> None:
    """Bumps updated_at; on PostgreSQL the UPDATE also locks the cart row for the
    transaction."""
    now = timezone.now()
    Cart.objects.filter(pk=cart.pk).update(updated_at=now)
    cart.updated_at = now


def cart_obtain(*, viewer: Principal, session: SessionBase | None) -> Cart:
    """The viewer's cart, made on first use: bound to the user, or, for a guest, to a new
    random guest token kept in this browser's session."""
    cart = cart_for(viewer=viewer, session=session)
    if cart is not None:
        return cart
    if viewer.is_authenticated:
        cart, _ = Cart.objects.get_or_create(user_id=viewer.user_id)  # type: ignore[misc]
        return cart
    if session is None:
        raise InvalidInput("A cart needs a session or a signed-in shopper.")
    token = guest_token_obtain(session)
    cart, _ = Cart.objects.get_or_create(guest_token=token)
    return cart


def _not_added(variant: Variant, *, existing: int, limit: int) -> Conflict:
    """The refusal of an all-or-nothing add that asked for more than `limit` (in words that
    say what is left and what can still be added: asking for more than there is is the one
    time the exact stock is told, docs/catalog.md)."""
    has = f" and your cart already has {existing}" if existing else ""
    more = f"You can add {limit - existing} more." if existing else f"Choose {limit} or fewer."
    if limit < MAX_LINE_QUANTITY:
        return OutOfStock(f"Sorry, only {variant.available} of {_display(variant)} left{has}: "
                          f"nothing was added to your cart. {more}")
    return QuantityLimit(f"You can buy at most {MAX_LINE_QUANTITY} of one item{has}: nothing "
                         f"was added to your cart. {more}")


@transaction.atomic
def cart_add_item(*, cart: Cart, sku: str, quantity: int, all_or_nothing: bool = False
                  ) -> CartChange:
    """Adds `quantity` units of `sku`, capped at what is available and at MAX_LINE_QUANTITY
    (with a notice); with `all_or_nothing` (the storefront) more than that is refused instead.
    Raises InvalidInput (unknown SKU, bad quantity) or OutOfStock/QuantityLimit when not one
    more unit can be added; nothing is written then."""
    _check_sku(sku)
    _check_quantity(quantity)
    variant = (
        Variant.objects.select_related("product")
        .filter(sku=sku, product__is_active=True)
        .first()
    )
    if variant is None:
        raise InvalidInput("There is no product with this SKU.", code="unknown_sku")
    _touch(cart)
    line = CartLine.objects.filter(cart=cart, variant=variant).first()
    existing = line.quantity if line else 0
    limit = min(MAX_LINE_QUANTITY, variant.available)
    if limit <= existing:
        if variant.available <= 0:
            raise OutOfStock(f"Sorry, {_display(variant)} is sold out.")
        if existing >= MAX_LINE_QUANTITY:
            raise QuantityLimit()
        raise OutOfStock(
            f"Only {variant.available} of {_display(variant)} available, and your cart "
            "already has them all."
        )
    wanted = existing + quantity
    if all_or_nothing and wanted > limit:
        raise _not_added(variant, existing=existing, limit=limit)
    new_quantity = min(wanted, limit)
    notices = []
    if new_quantity < wanted:
        notices.append(
            f"Only {new_quantity} of {_display(variant)} can be bought"
            f"{' at once' if new_quantity == MAX_LINE_QUANTITY else ' now'}: your cart has "
            f"{new_quantity}."
        )
    if line is None:
        CartLine.objects.create(
            cart=cart,
            variant=variant,
            sku=variant.sku,
            name=variant.product.name,
            quantity=new_quantity,
        )
    else:
        CartLine.objects.filter(pk=line.pk).update(quantity=new_quantity)
    return CartChange(notices=notices)


def _line_for(cart: Cart, sku: str) -> CartLine:
    _check_sku(sku)
    line = (
        CartLine.objects.select_related("variant__product")
        .filter(cart=cart, variant__sku=sku)
        .first()
    )
    if line is None:
        raise NotFound("This item is not in your cart.")
    return line


@transaction.atomic
def cart_set_quantity(*, cart: Cart, sku: str, quantity: int, all_or_nothing: bool = False
                      ) -> CartChange:
    """Sets the quantity of a line (0 removes it), capped like cart_add_item; with
    `all_or_nothing` (the storefront) more than can be bought is refused (OutOfStock) and the
    line keeps its quantity."""
    _check_quantity(quantity, allow_zero=True)
    line = _line_for(cart, sku)
    _touch(cart)
    if quantity == 0:
        line.delete()
        return CartChange()
    variant = line.variant
    limit = min(MAX_LINE_QUANTITY, variant.available)  # type: ignore[union-attr]
    if limit <= 0:
        raise OutOfStock(f"Sorry, {_display(variant)} is sold out.")  # type: ignore[arg-type]
    if all_or_nothing and quantity > limit:
        raise OutOfStock(f"Sorry, only {variant.available} of {_display(variant)} left: "  # type: ignore[union-attr, arg-type]
                         f"your cart still has {line.quantity}. Choose {limit} or fewer.")
    notices = []
    new_quantity = min(quantity, limit)
    if new_quantity < quantity:
        notices.append(f"Only {new_quantity} of {_display(variant)} available: your cart has "  # type: ignore[arg-type]
                       f"{new_quantity}.")
    CartLine.objects.filter(pk=line.pk).update(quantity=new_quantity)
    return CartChange(notices=notices)


@transaction.atomic
def cart_remove_item(*, cart: Cart, sku: str) -> CartChange:
    line = _line_for(cart, sku)
    _touch(cart)
    line.delete()
    return CartChange()


def cart_summary(*, cart: Cart | None) -> CartSummary:
    """What the cart holds now, priced now. Keeps the cart honest on the way: a line whose
    product or variant vanished, or sold out, is removed; a line above what is available is
    lowered. Each such change comes back as a notice for the shopper. Two queries when nothing
    needs fixing, whatever the number of lines."""
    if cart is None:
        return EMPTY_CART
    lines = cart_lines(cart=cart)
    views, notices, gone, lowered = [], [], [], []
    for line in lines:
        variant = line.variant
        if variant is None or not variant.product.is_active:
            gone.append(line.pk)
            notices.append(f"{line.name} is no longer available and was removed from your cart.")
            continue
        if variant.available <= 0:
            gone.append(line.pk)
            notices.append(f"{_display(variant)} sold out and was removed from your cart.")
            continue
        limit = min(MAX_LINE_QUANTITY, variant.available)
        if line.quantity > limit:
            line.quantity = limit
            lowered.append(line)
            notices.append(f"Only {limit} of {_display(variant)} left: we changed the quantity.")
        views.append(line_view(line, variant))
    if gone or lowered:  # a read that writes only when the cart needs fixing
        with transaction.atomic():
            CartLine.objects.filter(pk__in=gone).delete()
            CartLine.objects.bulk_update(lowered, ["quantity"])
    return CartSummary(lines=views, notices=notices)


@transaction.atomic
def cart_clear(*, cart: Cart) -> None:
    CartLine.objects.filter(cart=cart).delete()
    _touch(cart)


@transaction.atomic
def cart_merge_on_sign_in(*, session: SessionBase, user: User) -> CartChange:
    """At sign-in, moves the guest cart of *this* browser (the one its session's guest token
    names, and no other: Vendure 263, Medusa 8919) into the user's cart, then deletes it.
    Quantities add up, capped like cart_add_item. The guest token leaves the session."""
    guest = cart_for(viewer=Principal(user=None), session=session)
    if guest is None:
        guest_token_retire(session)
        return CartChange()
    guest_lines = [
        line for line in cart_lines(cart=guest)
        if line.variant is not None and line.variant.product.is_active
    ]
    notices = []
    if guest_lines:
        cart = cart_obtain(viewer=Principal(user=user, via="session"), session=None)
        _touch(cart)
        existing = {line.variant_id: line for line in CartLine.objects.filter(cart=cart)}
        new_lines, changed = [], []
        for guest_line in guest_lines:
            variant = guest_line.variant
            limit = min(MAX_LINE_QUANTITY, variant.available)  # type: ignore[union-attr]
            mine = existing.get(variant.pk)  # type: ignore[union-attr]
            wanted = guest_line.quantity + (mine.quantity if mine else 0)
            quantity = min(wanted, limit)
            if quantity < wanted:
                notices.append(f"Only {limit} of {_display(variant)} available: your cart "  # type: ignore[arg-type]
                               f"has {limit}.")
            if mine is not None:
                if quantity > 0 and quantity != mine.quantity:
                    mine.quantity = quantity
                    changed.append(mine)
            elif quantity > 0:
                new_lines.append(
                    CartLine(cart=cart, variant=variant, sku=variant.sku,  # type: ignore[union-attr]
                             name=variant.product.name, quantity=quantity)  # type: ignore[union-attr]
                )
        CartLine.objects.bulk_create(new_lines)
        CartLine.objects.bulk_update(changed, ["quantity"])
        # what other apps keep on the guest cart follows it (shop/discounts: its code)
        guest_cart_merged.send(sender=Cart, guest_cart_id=guest.pk, cart_id=cart.pk)
    guest.delete()
    guest_token_retire(session)
    return CartChange(notices=notices)


def carts_prune_abandoned(*, older_than: dt.timedelta = GUEST_CART_LIFETIME) -> int:
    """Deletes guest carts nobody touched for `older_than` (their browser's session is gone or
    will never come back). Users' carts stay. Returns how many."""
    cutoff = timezone.now() - older_than
    _, per_model = Cart.objects.filter(user__isnull=True, updated_at__lt=cutoff).delete()
    return per_model.get(Cart._meta.label, 0)
