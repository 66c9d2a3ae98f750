"""Staff reads of the catalog and inventory: products with their variants and stock history,
and the variants running low, for a role that may see them (shop.staff.access.require)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from shop.accounts.models import User
from shop.core.errors import NotFound
from shop.core.pagination import PAGE_SIZE, Page, invalid_cursor, page_limit, search_text
from shop.core.text import folded_contains
from shop.monitoring.audit import Action
from shop.monitoring.models import AuditEvent
from shop.staff.access import Actor, require
from shop.staff.roles import Perm

from .models import Product, ProductImage, StockAdjustment, Variant
from .selectors import category_list, category_with_descendant_ids


def low_stock(*, actor: Actor, limit: int = 10, threshold: int | None = None) -> list[Variant]:
    """Variants of active products at or below the threshold, emptiest first."""
    require(actor, Perm.VIEW_DASHBOARD)
    threshold = settings.SHOP_LOW_STOCK_THRESHOLD if threshold is None else threshold
    return list(
        Variant.objects.filter(product__is_active=True, stock__lte=threshold)
        .select_related("product")
        .order_by("stock", "product__name", "pk")[:limit]
    )


STATUSES = {"published": True, "draft": False}


def product_page(*, actor: Actor, q: str = "", low: bool = False, cursor: str | None = None,
                 limit: int = PAGE_SIZE, category: str = "", status: str = "") -> Page:
    """Products with their variants (stock and price), by name or SKU; `low`: only those
    with a variant at or below the low-stock threshold; `category` (a slug, with its
    subcategories) and `status` ("published" or "draft") narrow the list."""
    require(actor, Perm.MANAGE_CATALOG)
    q = search_text(q)
    queryset = Product.objects.all()
    if status in STATUSES:
        queryset = queryset.filter(is_active=STATUSES[status])
    if category:
        try:
            ids = category_with_descendant_ids(slug=category, categories=category_list())
        except NotFound:
            ids = []
        queryset = queryset.filter(category_id__in=ids)
    if q:
        # accents and case do not matter ("creme" finds "Crème"); a SKU exactly or its start
        queryset = queryset.filter(
            folded_contains("name", q) | Q(slug__istartswith=q)
            | Q(Exists(Variant.objects.filter(product=OuterRef("pk"), sku__istartswith=q)))
        )
    if low:
        queryset = queryset.filter(
            variants__stock__lte=settings.SHOP_LOW_STOCK_THRESHOLD
        ).distinct()
    if cursor:
        if not cursor.isdigit():
            raise invalid_cursor()
        queryset = queryset.filter(pk__lt=int(cursor))
    limit = page_limit(limit)
    rows = list(
        queryset.select_related("category").prefetch_related("variants").order_by("-pk")[
            : limit + 1
        ]
    )
    items = rows[:limit]
    return Page(items=items, next_cursor=str(items[-1].pk) if len(rows) > limit else None)


@dataclass(frozen=True)
class AdjustmentRow:
    adjustment: StockAdjustment
    by: str  # the staff member's email, or "" when the account is gone


@dataclass(frozen=True)
class HistoryRow:
    """One change of the product (an audit record): created, edited, a price, an image."""

    at: object
    by: str
    action: str
    details: dict
    summary: str = ""


@dataclass(frozen=True)
class ProductView:
    product: Product
    variants: list[Variant]
    adjustments: list[AdjustmentRow]
    history: list[HistoryRow]
    images: list[ProductImage]


def product_read(*, actor: Actor, product_id: int) -> ProductView:
    require(actor, Perm.MANAGE_CATALOG)
    product = Product.objects.select_related("category").filter(pk=product_id).first()
    if product is None:
        raise NotFound("We could not find this product.")
    variants = list(product.variants.order_by("position", "pk"))
    adjustments = list(
        StockAdjustment.objects.filter(variant__product_id=product.pk)
        .select_related("variant").order_by("-created_at", "-pk")[:30]
    )
    emails = dict(
        User.objects.filter(pk__in={a.actor_id for a in adjustments if a.actor_id})
        .values_list("pk", "email")
    )
    return ProductView(
        product=product,
        variants=variants,
        adjustments=[AdjustmentRow(a, emails.get(a.actor_id, "")) for a in adjustments],
        history=product_history(product=product, variant_ids=[v.pk for v in variants]),
        images=list(product.images.order_by("position", "pk")),
    )


HISTORY_LABELS = {
    Action.PRODUCT_CREATE: "Created",
    Action.PRODUCT_UPDATE: "Edited",
    Action.PRODUCT_IMAGE: "Image added",
    Action.VARIANT_PRICE: "Price changed",
    Action.STOCK_ADJUST: "Stock",
}


def product_history(*, product: Product, variant_ids: list[int], limit: int = 30
                    ) -> list[HistoryRow]:
    """The audit records of a product and of its variants, newest first: who changed what
    (prices included, from and to)."""
    events = AuditEvent.objects.filter(
        Q(object_type="product", object_id=str(product.pk))
        | Q(object_type="variant", object_id__in=[str(pk) for pk in variant_ids],
            action=Action.VARIANT_PRICE)
    ).order_by("-created_at", "-pk")[:limit]
    return [
        HistoryRow(at=e.created_at, by=e.actor_email,
                   action=HISTORY_LABELS.get(e.action, e.action), details=e.details,
                   summary=_summary(e.action, e.details or {}))
        for e in events
    ]


def _summary(action: str, details: dict) -> str:
    """One line a person reads: what changed, prices from and to."""
    parts: list[str] = []
    if action == Action.VARIANT_PRICE:
        return f"{details.get('sku', '')}: €{details.get('from')} → €{details.get('to')}"
    if action == Action.PRODUCT_CREATE:
        variants = details.get("variants") or []
        state = "published" if details.get("published") else "draft"
        return f"{details.get('name', '')} ({state}), {len(variants)} variants"
    if action == Action.PRODUCT_IMAGE:
        return f"Image for {details.get('colour') or 'any colour'}"
    for field, (old, new) in (details.get("fields") or {}).items():
        if field == "description":
            parts.append("description changed")
        else:
            parts.append(f"{field}: {old} → {new}")
    parts += [f"{p['sku']}: €{p['from']} → €{p['to']}" for p in details.get("prices") or []]
    parts += [f"{p['sku']} stock {p['from']} → {p['to']}" for p in details.get("stock") or []]
    if details.get("added"):
        parts.append("added " + ", ".join(details["added"]))
    if details.get("removed"):
        parts.append("removed " + ", ".join(details["removed"]))
    return "; ".join(parts)
