"""Who may see which user-owned object: the one place that decides.

Every read of a user-owned object (address, cart, order) goes through a function here that
checks ownership as it fetches. "Does not exist" and "not yours" raise the same NotFound with
the same message, so a shopper cannot tell another shopper's object from a missing one.
Each function takes the viewer (a Principal) first and is keyword-only.

Sections: addresses (accounts) and orders. Add functions to the section of your area; keep
each one a scoped query, never "fetch, then compare owner". A viewer's cart is found by the
same rule in shop/cart/selectors.py (`cart_for`), in the cart app because the cart services
and checkout, which sit below this layer (docs/architecture.md), read it too.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from shop.accounts.models import Address
from shop.accounts.principal import Principal
from shop.core.errors import NotFound
from shop.core.ownership import guest_order_owner, ledger_grant
from shop.core.pagination import Page, invalid_cursor, page_limit
from shop.monitoring import alerts
from shop.monitoring.context import current, defer
from shop.monitoring.models import SecurityEventKind
from shop.monitoring.services import security_event_record
from shop.orders.guest_tokens import hosted_return_ref, order_token_hash
from shop.orders.models import Order, OrderStatus

# --- the record of a refusal (the shopper only ever sees the 404)


def _denied_or_missed(*, viewer: Principal, object_type: str, exists: QuerySet) -> None:  # type: ignore[type-arg]
    """A signed-in viewer asked for an object that is not theirs. When it exists (someone
    else's), a security event `object_access_denied`; when it does not, only a count for the
    enumeration rule (shop/monitoring/alerts.py). Both are written after the response has
    left (`defer`): the 404 is the same, and takes the same time, either way."""
    if exists.exists():
        defer(lambda: security_event_record(
            kind=SecurityEventKind.OBJECT_ACCESS_DENIED,
            user_id=viewer.user_id,
            details={"object": object_type, "via": viewer.via},
        ))
    else:
        where = current()
        defer(lambda: alerts.observe(
            kind=alerts.OBJECT_LOOKUP_MISSED, user_id=viewer.user_id,
            ip=where.ip if where is not None else None,
        ))


# --- addresses


def address_list_for(*, viewer: Principal) -> QuerySet[Address]:
    """The viewer's saved addresses (default first); none for an anonymous viewer."""
    if not viewer.is_authenticated:
        return Address.objects.none()
    return Address.objects.filter(user_id=viewer.user_id).order_by("-is_default", "id")  # type: ignore[misc]


def access_address(*, viewer: Principal, address_id: int) -> Address:
    """One of the viewer's addresses; NotFound for a missing id and for anyone else's."""
    if viewer.is_authenticated:
        address = Address.objects.filter(pk=address_id, user_id=viewer.user_id).first()  # type: ignore[misc]
        if address is not None:
            return address
        _denied_or_missed(
            viewer=viewer, object_type="address", exists=Address.objects.filter(pk=address_id)
        )
    raise NotFound()


# --- orders

ORDER_NOT_FOUND = "We could not find this order."
ORDER_NUMBER = re.compile(r"^BFM-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$")
ORDER_PAGE_MAX = 50


def access_order(*, viewer: Principal, number: str, with_lines: bool = True) -> Order:
    """The viewer's own order by number. Not the viewer's, malformed, or missing: the same
    NotFound, with the same words. One query, two with the lines."""
    if not viewer.is_authenticated or not ORDER_NUMBER.match(number):
        raise NotFound(ORDER_NOT_FOUND)
    queryset = Order.objects.filter(number=number, user_id=viewer.user_id)  # type: ignore[misc]
    if with_lines:
        queryset = queryset.prefetch_related("lines")
    order = queryset.first()
    if order is None:
        _denied_or_missed(
            viewer=viewer, object_type="order", exists=Order.objects.filter(number=number)
        )
        raise NotFound(ORDER_NOT_FOUND)
    return order


def access_guest_order(*, viewer: Principal, number: str, token: str) -> Order:
    """A guest order by number and order token (shop/orders/guest.py). A wrong or missing
    token, a malformed or missing number, an order that is not a guest's or was claimed
    into an account: the same NotFound as access_order's, and each counts towards the
    enumeration alert. One query, two with the lines."""
    token = token or ""
    if ORDER_NUMBER.match(number) and 20 <= len(token) <= 100:
        order = (
            Order.objects.filter(
                number=number, user_id__isnull=True, guest__claimed_at__isnull=True,
                guest__token_hash=order_token_hash(token),
            ).prefetch_related("lines").first()
        )
        if order is not None:
            ledger_grant(guest_order_owner(order.pk))
            return order
    where = current()
    defer(lambda: alerts.observe(
        kind=alerts.OBJECT_LOOKUP_MISSED, user_id=viewer.user_id,
        ip=where.ip if where is not None else None,
    ))
    raise NotFound(ORDER_NOT_FOUND)


def access_guest_order_returning(*, number: str, link_token: str) -> tuple[Order, str]:
    """A guest order the payment provider sends its buyer back for: (the order, the session
    reference its return link was made with). The link is signed for that order by this shop
    and known only to the provider and the browser it sent there; it opens nothing but the
    settlement of that payment and a page that names nobody (or, with the session that
    started the checkout, the confirmation). Anything else: NotFound."""
    ref = hosted_return_ref(number=number, token=link_token) if ORDER_NUMBER.match(
        number) else None
    order = (Order.objects.filter(number=number, user_id__isnull=True,
                                  guest__claimed_at__isnull=True).first()
             if ref is not None else None)
    if order is None or ref is None:
        raise NotFound(ORDER_NOT_FOUND)
    ledger_grant(guest_order_owner(order.pk))
    return order, ref


def order_list_for(
    *, viewer: Principal, cursor: str | None = None, limit: int = 20, with_lines: bool = False
) -> Page[Order]:
    """The viewer's placed orders, newest first, keyset-paginated. The cursor is the number
    of the last order of the previous page (so no internal id leaves). Orders still waiting
    for their payment's answer are not listed. One query (plus one for the lines, plus one to
    find a cursor), whatever the number of orders."""
    limit = page_limit(limit, ORDER_PAGE_MAX)
    if not viewer.is_authenticated:
        return Page(items=[], next_cursor=None)
    queryset = Order.objects.filter(user_id=viewer.user_id).exclude(  # type: ignore[misc]
        status=OrderStatus.PENDING_PAYMENT
    )
    if cursor:
        invalid = invalid_cursor(
            "The cursor is not valid for this list; start again from the first page."
        )
        if not ORDER_NUMBER.match(cursor):
            raise invalid
        after = (
            Order.objects.filter(user_id=viewer.user_id, number=cursor)  # type: ignore[misc]
            .values_list("created_at", "pk")
            .first()
        )
        if after is None:
            raise invalid
        created_at, pk = after
        queryset = queryset.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    queryset = queryset.order_by("-created_at", "-pk")
    if with_lines:
        queryset = queryset.prefetch_related("lines")
    rows = list(queryset[: limit + 1])
    items = rows[:limit]
    return Page(items=items, next_cursor=items[-1].number if len(rows) > limit else None)
