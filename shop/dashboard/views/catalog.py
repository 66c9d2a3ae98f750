"""Products and inventory: find a product, change a variant's price, adjust its stock (with
a reason; every adjustment is kept with who and why)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from shop.catalog import actions, staff_selectors
from shop.catalog.editing import colours_of
from shop.catalog.models import StockAdjustmentReason, Variant
from shop.catalog.selectors import category_tree_choices
from shop.core.errors import NotFound, ShopError
from shop.orders import actions as orders_actions
from shop.staff.roles import Perm

from .common import actor, can, render_page

STATUS_CHOICES = (("", "Any status"), ("published", "Published"), ("draft", "Draft"))


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    low = request.GET.get("low") == "1"
    category = request.GET.get("category", "")[:140]
    status = request.GET.get("status", "")
    status = status if status in staff_selectors.STATUSES else ""
    page = staff_selectors.product_page(
        actor=actor(request), q=q, low=low, cursor=request.GET.get("cursor") or None,
        category=category, status=status,
    )
    filters = {k: v for k, v in (("q", q), ("category", category), ("status", status)) if v}
    return render_page(request, "dashboard/products/list.html", {
        "page": page, "q": q, "low": low, "category": category, "status": status,
        "categories": category_tree_choices(), "statuses": STATUS_CHOICES,
        "filter_query": urlencode(filters), "low_threshold": settings.SHOP_LOW_STOCK_THRESHOLD,
    }, section="products")


def _detail(request: HttpRequest, product_id: int, *, confirm=None, status: int = 200
            ) -> HttpResponse:
    view = staff_selectors.product_read(actor=actor(request), product_id=product_id)
    return render_page(request, "dashboard/products/detail.html", {
        "view": view,
        "reasons": StockAdjustmentReason.choices,
        "can_adjust": can(request, Perm.ADJUST_STOCK),
        "colours": colours_of(view.product),
        "confirm": confirm,
        "low_threshold": settings.SHOP_LOW_STOCK_THRESHOLD,
    }, section="products", status=status)


@require_GET
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    return _detail(request, product_id)


def product_of_variant(variant_id: int) -> int:
    product_id = Variant.objects.filter(pk=variant_id).values_list("product_id", flat=True).first()
    if product_id is None:
        raise NotFound("We could not find this product.")
    return product_id


@require_POST
def variant_price(request: HttpRequest, variant_id: int) -> HttpResponse:
    product_id = product_of_variant(variant_id)
    try:
        price = Decimal(request.POST.get("price", "").strip().replace(",", "."))
        if not price.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        messages.error(request, "Enter the price as a number, for example 24.90.")
    else:
        try:
            actions.variant_price_change(actor=actor(request), variant_id=variant_id,
                                         price=price,
                                         confirm_price=request.POST.get("confirm") == "yes")
        except actions.PriceConfirmationRequired as jump:
            # the same page, with the change to confirm (nothing was saved)
            return _detail(request, product_id, status=422, confirm={
                "variant_id": variant_id, "price": str(price), "message": jump.message})
        except ShopError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Price saved.")
    return redirect("dashboard:product_detail", product_id=product_id)


@require_POST
def stock_adjust(request: HttpRequest, variant_id: int) -> HttpResponse:
    product_id = product_of_variant(variant_id)
    try:
        delta = int(request.POST.get("delta", "").strip().replace("+", ""))
    except ValueError:
        messages.error(request, "Enter the change in units, for example 12 or -3.")
    else:
        try:
            adjustment = orders_actions.variant_stock_adjust(
                actor=actor(request), variant_id=variant_id, delta=delta,
                reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
            )
        except ShopError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Stock adjusted by {adjustment.delta:+d}: now {adjustment.stock_after}."
            )
    return redirect("dashboard:product_detail", product_id=product_id)
