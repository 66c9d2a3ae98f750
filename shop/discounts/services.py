"""Discount codes at work: which code a cart carries, whether it still applies, and counting
its uses so that a limit holds whatever the number of checkouts at once.

- `discount_check` says why a code does not apply (DiscountInvalid, 422 `discount_invalid`):
  unknown or switched off, not started or ended, used up, used up by this customer, or a
  subtotal below its minimum. Applying a code and pricing a cart call it; so does checkout.
- `discount_redeem` counts one use, inside the order's transaction, with ONE conditional
  UPDATE: `used_count = used_count + 1 WHERE id = .. AND active AND in its window AND
  (max_uses IS NULL OR used_count < max_uses)`. When 50 checkouts race for the last use, the
  database lets exactly one UPDATE change the row (on PostgreSQL the others wait for its row
  lock and then see the new count; on SQLite the write lock queues them): the others change
  nothing, raise DiscountInvalid, and their whole transaction (order, stock) rolls back. The
  code's row is locked last, after the variants: user -> cart -> order -> variants -> code.
  The per-customer limit (`max_uses_per_customer`; an account by its id, a guest by the
  address, normalised: no spaces around, lower case) is checked by `discount_check` before
  the order exists, and counted again by `discount_redeem` right after its UPDATE, which holds
  the code's row lock until the order commits: two checkouts of one customer at once (two
  tabs, a guest's two devices) queue on that lock, and the second one counts the first one's
  committed use and is refused (422, "already used"; its transaction rolls back, nothing is
  charged). tests/discounts/test_per_customer_race.py holds both at the worst moment.
- `discount_release` gives a use back when the order dies unpaid (declined, abandoned).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from shop.core.errors import ShopError

from .models import CODE_MAX_LENGTH, CartDiscount, DiscountCode, DiscountRedemption

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")


class DiscountInvalid(ShopError):
    code = "discount_invalid"
    status = 422
    message = "This discount code is not valid."


def code_normalize(text: str) -> str:
    """The code as stored (upper case, no spaces around), or DiscountInvalid."""
    code = str(text or "").strip().upper()
    if not code or len(code) > CODE_MAX_LENGTH or not CODE_PATTERN.match(code):
        raise DiscountInvalid()
    return code


def discount_find(*, text: str) -> DiscountCode:
    code = DiscountCode.objects.filter(code=code_normalize(text)).first()
    if code is None:
        raise DiscountInvalid()
    return code


def email_normalize(email: str) -> str:
    """A guest's address as uses are counted: no spaces around, lower case."""
    return (email or "").strip().lower()


def _customer_uses(code: DiscountCode, *, user_id: int | None, email: str) -> int:
    """Uses of `code` by an account (its id) or by a guest (the normalised address)."""
    if user_id is not None:
        who = Q(user_id=user_id)
    elif email_normalize(email):
        who = Q(user_id__isnull=True, email=email_normalize(email))
    else:
        return 0
    return DiscountRedemption.objects.filter(who, code=code).count()


def discount_check(*, code: DiscountCode, subtotal: Decimal, user_id: int | None = None,
                   email: str = "") -> None:
    """Raises DiscountInvalid, with words for the shopper, when `code` does not apply to a
    basket of `subtotal` for this customer now."""
    now = timezone.now()
    if not code.is_active:
        raise DiscountInvalid()
    if code.starts_at is not None and now < code.starts_at:
        raise DiscountInvalid(f"The code {code.code} is not valid yet.")
    if code.ends_at is not None and now >= code.ends_at:
        raise DiscountInvalid(f"The code {code.code} has expired.")
    if code.max_uses is not None and code.used_count >= code.max_uses:
        raise DiscountInvalid(f"The code {code.code} has been used up.")
    if code.max_uses_per_customer is not None and _customer_uses(
            code, user_id=user_id, email=email) >= code.max_uses_per_customer:
        raise DiscountInvalid(f"You have already used the code {code.code}.")
    if code.minimum_subtotal is not None and subtotal < code.minimum_subtotal:
        raise DiscountInvalid(
            f"The code {code.code} needs a subtotal of at least {code.minimum_subtotal}.")


# --- the code a cart carries


def cart_discount_get(*, cart_id: int | None) -> DiscountCode | None:
    if cart_id is None:
        return None
    row = CartDiscount.objects.select_related("code").filter(cart_id=cart_id).first()
    return row.code if row is not None else None


def cart_discount_set(*, cart_id: int, code: DiscountCode) -> None:
    CartDiscount.objects.update_or_create(
        cart_id=cart_id, defaults={"code": code, "applied_at": timezone.now()})


def cart_discount_apply(*, cart_id: int, text: str, subtotal: Decimal,
                        user_id: int | None = None, email: str = "") -> DiscountCode:
    """Puts the code on the cart when it applies now (DiscountInvalid otherwise; the cart's
    code stays as it was)."""
    code = discount_find(text=text)
    discount_check(code=code, subtotal=subtotal, user_id=user_id, email=email)
    cart_discount_set(cart_id=cart_id, code=code)
    return code


def cart_discount_follow(sender: object, *, guest_cart_id: int, cart_id: int,
                         **kwargs: object) -> None:
    """At sign-in, the guest cart's code moves to the shopper's cart unless it has one."""
    if not CartDiscount.objects.filter(cart_id=cart_id).exists():
        CartDiscount.objects.filter(cart_id=guest_cart_id).update(cart_id=cart_id)


def cart_discount_remove(*, cart_id: int | None) -> None:
    if cart_id is not None:
        CartDiscount.objects.filter(cart_id=cart_id).delete()


# --- uses


def _usable_now() -> Q:
    now = timezone.now()
    return (Q(is_active=True)
            & (Q(starts_at__isnull=True) | Q(starts_at__lte=now))
            & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            & (Q(max_uses__isnull=True) | Q(used_count__lt=F("max_uses"))))


def discount_redeem(*, code: DiscountCode, order_id: int, amount: Decimal,
                    user_id: int | None, email: str) -> None:
    """Counts one use of `code` by the order (see the module docstring). Must run inside the
    order's transaction; DiscountInvalid when the last use went to someone else."""
    counted = DiscountCode.objects.filter(_usable_now(), pk=code.pk).update(
        used_count=F("used_count") + 1)
    if counted != 1:
        raise DiscountInvalid(f"The code {code.code} has just been used up.")
    # The UPDATE holds the code's row lock until the order commits: another checkout of the
    # same customer waits on it, and counts again here once this one's use is committed
    # (READ COMMITTED, PostgreSQL's default and ours: this new statement sees that commit;
    # SQLite's IMMEDIATE transactions never overlap). discount_check's count, before the
    # order existed, may have missed a use in flight.
    limit = code.max_uses_per_customer
    if limit is not None and _customer_uses(code, user_id=user_id, email=email) >= limit:
        raise DiscountInvalid(f"You have already used the code {code.code}.")
    DiscountRedemption.objects.create(
        code=code, order_id=order_id, amount=amount, user_id=user_id,
        email="" if user_id is not None else email_normalize(email))


def discount_release(*, order_id: int) -> str:
    """The use of an order that died unpaid goes back to its code (once). The code's text,
    or "" when the order used none."""
    use = DiscountRedemption.objects.select_related("code").filter(order_id=order_id).first()
    if use is None:
        return ""
    if DiscountRedemption.objects.filter(pk=use.pk).delete()[0]:
        DiscountCode.objects.filter(pk=use.code_id, used_count__gt=0).update(
            used_count=F("used_count") - 1)
    return use.code.code
