"""Staff reads of orders and customers: the dashboard overview, every order, the customers
and what they bought, for a role that may see them. Each function checks the actor's
permission first (shop.staff.access.require); each read of one customer's data (an order, a
customer, a search for someone, an export) writes exactly one audit record.

Lists are keyset-paginated (newest first; the cursor is the last row's order number or id),
one query a page plus one to find the cursor.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from shop.accounts.models import Address, User
from shop.core.errors import InvalidInput, NotFound
from shop.core.pagination import PAGE_SIZE, Page, invalid_cursor, page_limit, search_text
from shop.core.text import folded_contains
from shop.monitoring.audit import Action, audit_record
from shop.staff.access import Actor, require
from shop.staff.roles import Perm

from .models import Order, OrderLine, OrderStatus, Refund

REVENUE_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED)
ORDER_NUMBER_PART = re.compile(r"^(BFM-)?[23456789A-HJ-NP-Z]{1,10}$")


# --- overview


@dataclass(frozen=True)
class SalesDay:
    day: dt.date
    revenue: Decimal
    orders: int


@dataclass(frozen=True)
class SalesOverview:
    today: SalesDay
    week_revenue: Decimal
    week_orders: int
    month_revenue: Decimal
    month_orders: int
    days: list[SalesDay] = field(default_factory=list)  # the last 30, oldest first
    currency: str = ""


def sales_overview(*, actor: Actor, days: int = 30) -> SalesOverview:
    """Revenue (paid and fulfilled orders) per UTC day for the last `days` days. One query."""
    require(actor, Perm.VIEW_DASHBOARD)
    today = timezone.now().astimezone(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
    rows = (
        Order.objects.filter(created_at__gte=start, status__in=REVENUE_STATUSES)
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(revenue=Sum("total"), orders=Count("pk"))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    series = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        row = by_day.get(day)
        series.append(SalesDay(
            day=day,
            revenue=(row["revenue"] if row else None) or Decimal("0.00"),
            orders=row["orders"] if row else 0,
        ))
    week = series[-7:]
    return SalesOverview(
        today=series[-1],
        week_revenue=sum((d.revenue for d in week), Decimal("0.00")),
        week_orders=sum(d.orders for d in week),
        month_revenue=sum((d.revenue for d in series), Decimal("0.00")),
        month_orders=sum(d.orders for d in series),
        days=series,
        currency=settings.SHOP_CURRENCY,
    )


def recent_orders(*, actor: Actor, limit: int = 8) -> list[Order]:
    """The latest placed orders (no customer details: number, status, items, total)."""
    require(actor, Perm.VIEW_DASHBOARD)
    return list(
        Order.objects.exclude(status=OrderStatus.PENDING_PAYMENT)
        .only("number", "status", "total", "currency", "item_count", "created_at", "user_id")
        .order_by("-created_at", "-pk")[:limit]
    )


def refunds_to_redo(*, actor: Actor, limit: int = 5) -> tuple[int, list[Refund]]:
    """Refunds that bounced after the provider accepted them (shop/orders/settlement.py
    refund_bounced) and were not made again since: the customer is owed that money. Their
    count, and the oldest `limit` of them with their order's number."""
    require(actor, Perm.VIEW_DASHBOARD)
    made_again = Refund.objects.filter(
        payment_id=OuterRef("payment_id"), created_at__gt=OuterRef("created_at"),
        status__in=[Refund.Status.REFUNDING, *Refund.GIVEN_BACK])
    owed = (Refund.objects.filter(status=Refund.Status.BOUNCED)
            .exclude(Exists(made_again)).order_by("created_at", "id"))
    return owed.count(), list(owed.select_related("order").only(
        "amount", "currency", "created_at", "order__number")[:limit])


def order_status_counts(*, actor: Actor) -> dict[str, int]:
    require(actor, Perm.VIEW_DASHBOARD)
    rows = Order.objects.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


# --- orders


def _orders_filtered(*, q: str, status: str) -> QuerySet[Order]:
    queryset = Order.objects.all()
    if status:
        if status not in OrderStatus.values:
            raise InvalidInput("Unknown order status.")
        queryset = queryset.filter(status=status)
    if q:
        upper = q.upper()
        if "@" in q:
            queryset = queryset.filter(email__iexact=q) if " " not in q else queryset.none()
        elif ORDER_NUMBER_PART.match(upper) and (
            upper.startswith("BFM-") or any(ch.isdigit() for ch in upper)
        ):
            number = upper if upper.startswith("BFM-") else f"BFM-{upper}"
            queryset = queryset.filter(
                Q(number__startswith=number) | Q(Exists(OrderLine.objects.filter(
                    order=OuterRef("pk"), sku__iexact=q)))
            )
        else:  # accents and case do not matter: "garcia" finds "García", "malaga" "Málaga"
            queryset = queryset.filter(
                Q(email__istartswith=q) | folded_contains("ship_name", q)
                | folded_contains("ship_city", q)
                | Q(Exists(OrderLine.objects.filter(order=OuterRef("pk"), sku__iexact=q)))
            )
    return queryset


def order_page(
    *, actor: Actor, q: str = "", status: str = "", cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:  # type: ignore[type-arg]
    """Every order, newest first, filtered by status and searched by order number (or its
    start), email address (exact, or its start) or the name on the shipping address. A
    search is a look for someone: it is audited (the term and the customers found)."""
    require(actor, Perm.VIEW_ORDERS)
    q = search_text(q)
    queryset = _orders_filtered(q=q, status=status)
    if cursor:
        after = Order.objects.filter(number=cursor).values_list("created_at", "pk").first()
        if after is None:
            raise invalid_cursor()
        created_at, pk = after
        queryset = queryset.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    limit = page_limit(limit)
    rows = list(queryset.order_by("-created_at", "-pk")[: limit + 1])
    items = rows[:limit]
    if q:
        audit_record(
            actor=actor, action=Action.ORDER_SEARCH, object_type="order", object_id="",
            details={"q": q, "status": status, "found": len(items),
                     "customers": sorted({o.user_id for o in items if o.user_id})[:50]},
        )
    elif actor.via == "api":
        # A machine reading pages of orders: one record per page, with whose they were.
        audit_record(
            actor=actor, action=Action.ORDER_LIST, object_type="order", object_id="",
            details={"status": status, "count": len(items), "cursor": cursor or "",
                     "customers": sorted({o.user_id for o in items if o.user_id})[:100]},
        )
    return Page(items=items, next_cursor=items[-1].number if len(rows) > limit else None)


def order_read(*, actor: Actor, number: str) -> Order:
    """One order, with its lines, payments, refunds and timeline; audited (one record per
    read)."""
    require(actor, Perm.VIEW_ORDERS)
    number = (number or "").strip().upper()
    if not re.match(r"^BFM-[23456789A-HJ-NP-Z]{10}$", number):
        raise NotFound("We could not find this order.")
    order = (
        Order.objects.filter(number=number)
        .prefetch_related("lines", "payments", "refunds", "events").first()
    )
    if order is None:
        raise NotFound("We could not find this order.")
    audit_record(
        actor=actor, action=Action.ORDER_READ, object_type="order", object_id=order.number,
        customer_id=order.user_id,
    )
    return order


def orders_export(*, actor: Actor, q: str = "", status: str = "",
                  limit: int = 5000) -> list[Order]:
    """Orders for a CSV export (newest first, at most `limit`); one audit record."""
    require(actor, Perm.EXPORT_ORDERS)
    q = search_text(q)
    items = list(
        _orders_filtered(q=q, status=status).order_by("-created_at", "-pk")[:limit]
    )
    audit_record(
        actor=actor, action=Action.ORDER_EXPORT, object_type="order", object_id="",
        details={"q": q, "status": status, "count": len(items),
                 "customers": sorted({o.user_id for o in items if o.user_id})[:200]},
    )
    return items


# --- customers


@dataclass(frozen=True)
class CustomerRow:
    user: User
    orders: int
    spent: Decimal
    last_order_at: dt.datetime | None


def customer_page(*, actor: Actor, q: str = "", cursor: str | None = None,
                  limit: int = PAGE_SIZE) -> Page:  # type: ignore[type-arg]
    """Customer accounts (not staff), newest first, searched by email or name; with their
    number of orders and what they spent. Searches are audited."""
    require(actor, Perm.VIEW_CUSTOMERS)
    q = search_text(q)
    queryset = User.objects.filter(is_staff=False)
    if q:
        # accents and case do not matter; a city finds the customers with an address there
        queryset = queryset.filter(
            Q(email__istartswith=q) | folded_contains("name", q)
            | Q(Exists(Address.objects.filter(folded_contains("city", q), user=OuterRef("pk"))))
        )
    if cursor:
        if not cursor.isdigit():
            raise invalid_cursor()
        queryset = queryset.filter(pk__lt=int(cursor))
    limit = page_limit(limit)
    users = list(queryset.order_by("-pk")[: limit + 1])
    page_users = users[:limit]
    # The page's customers first (keyset, one query), then their orders' figures (one
    # aggregate over those ids only): no aggregate over every customer.
    figures = {
        row["user_id"]: row
        for row in Order.objects.filter(user_id__in=[u.pk for u in page_users])
        .exclude(status=OrderStatus.PENDING_PAYMENT)
        .order_by().values("user_id")
        .annotate(
            order_count=Count("pk"),
            spent=Sum("total", filter=Q(status__in=REVENUE_STATUSES)),
            last_order_at=Max("created_at"),
        )
    }
    items = []
    for user in page_users:
        row = figures.get(user.pk, {})  # type: ignore[var-annotated]
        items.append(CustomerRow(
            user=user, orders=row.get("order_count", 0),
            spent=row.get("spent") or Decimal("0.00"), last_order_at=row.get("last_order_at"),
        ))
    if q:
        audit_record(
            actor=actor, action=Action.CUSTOMER_SEARCH, object_type="customer", object_id="",
            details={"q": q, "found": len(items),
                     "customers": [row.user.pk for row in items][:50]},
        )
    next_cursor = str(items[-1].user.pk) if len(users) > limit else None
    return Page(items=items, next_cursor=next_cursor)


@dataclass(frozen=True)
class CustomerView:
    user: User
    addresses: list[Address]
    orders: list[Order]
    spent: Decimal
    order_count: int


def customer_read(*, actor: Actor, user_id: int) -> CustomerView:
    """One customer: account, addresses, orders (cards masked to brand and last four: the
    only card data the shop has). Audited."""
    require(actor, Perm.VIEW_CUSTOMERS)
    user = User.objects.filter(pk=user_id, is_staff=False).first()
    if user is None:
        raise NotFound("We could not find this customer.")
    orders = list(
        Order.objects.filter(user_id=user.pk).exclude(status=OrderStatus.PENDING_PAYMENT)
        .order_by("-created_at", "-pk")[:100]
    )
    audit_record(
        actor=actor, action=Action.CUSTOMER_READ, object_type="customer", object_id=user.pk,
        customer_id=user.pk,
    )
    return CustomerView(
        user=user,
        addresses=list(Address.objects.filter(user_id=user.pk).order_by("-is_default", "pk")),
        orders=orders,
        spent=sum((o.total for o in orders if o.status in REVENUE_STATUSES), Decimal("0.00")),
        order_count=len(orders),
    )
