"""The product editor (managers): create and edit a product, its description, category,
published state and its variant matrix; add images; set a counted stock. The rules are the
catalog's (shop/catalog/actions.py, editing.py, images.py); these views only carry the form.

Without JavaScript: "Build the variant table" posts the form and comes back with one row per
combination of the options (rows already filled in keep their values); "Save" saves it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shop.catalog import actions, editing
from shop.catalog.matrix import cells_build, matrix_of, sku_prefix
from shop.catalog.models import Product
from shop.core.errors import NotFound, ShopError

from ..forms_catalog import ProductForm, axes_initial, cells_posted, variant_specs
from .catalog import product_of_variant
from .common import actor, render_page


def _product(product_id: int) -> Product:
    product = Product.objects.select_related("category").filter(pk=product_id).first()
    if product is None:
        raise NotFound("We could not find this product.")
    return product


def _render(request: HttpRequest, form: ProductForm, cells, *, product: Product | None = None,
            error: str = "", jumps=None, status: int = 200) -> HttpResponse:
    return render_page(request, "dashboard/products/form.html", {
        "form": form, "cells": cells, "product": product, "error": error,
        "jumps": jumps or [], "editing_stock": product is not None,
    }, section="products", status=status)


def _spec(form: ProductForm, cells) -> editing.ProductSpec:
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        raise editing.CatalogInvalid(f"{label}: {errors[0]}")
    data = form.cleaned_data
    return editing.ProductSpec(
        name=data["name"], category=data["category"], description=data["description"],
        is_active=data["published"], variants=variant_specs(cells),
    )


def _rebuilt(form: ProductForm, cells):
    prefix = sku_prefix(form.data.get("name", ""))
    return cells_build(form.axes(), keep=cells, prefix=prefix,
                       price=form.data.get("default_price", "").strip()[:14])


@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = ProductForm(initial={"option1_name": "size", "option2_name": "colour"})
        return _render(request, form, [])
    form = ProductForm(request.POST)
    cells = []
    try:
        cells = cells_posted(request.POST)
        if request.POST.get("action") != "save":
            return _render(request, form, _rebuilt(form, cells))
        product = actions.product_create(actor=actor(request), spec=_spec(form, cells))
    except ShopError as error:
        return _render(request, form, cells, error=error.message, status=422)
    messages.success(request, f"{product.name} created"
                     f"{'' if product.is_active else ' as a draft'}. Add its images below.")
    return redirect("dashboard:product_detail", product_id=product.pk)


@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product(product_id)
    if request.method == "GET":
        axes, cells = matrix_of(product)
        form = ProductForm(initial={
            "name": product.name, "category": product.category.slug,
            "description": product.description, "published": product.is_active,
            **axes_initial(axes),
        })
        return _render(request, form, cells, product=product)
    form = ProductForm(request.POST)
    cells = []
    try:
        cells = cells_posted(request.POST)
        if request.POST.get("action") != "save":
            return _render(request, form, _rebuilt(form, cells), product=product)
        product, _changes = actions.product_update(
            actor=actor(request), product_id=product.pk, spec=_spec(form, cells),
            confirm_price=form.cleaned_data.get("confirm_price", False),
        )
    except actions.PriceConfirmationRequired as jump:
        return _render(request, form, cells, product=product, error=jump.message,
                       jumps=jump.jumps, status=422)
    except ShopError as error:
        return _render(request, form, cells, product=product, error=error.message, status=422)
    messages.success(request, f"{product.name} saved.")
    return redirect("dashboard:product_detail", product_id=product.pk)


@require_POST
def product_image(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product(product_id)
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, "Choose an image file (JPEG, PNG or WebP).")
    else:
        try:
            actions.product_image_upload(
                actor=actor(request), product_id=product.pk, stream=upload,
                size=upload.size or 0, colour=request.POST.get("colour", "")[:40],
                alt=request.POST.get("alt", "")[:200],
            )
        except ShopError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Image added.")
    return redirect("dashboard:product_detail", product_id=product.pk)


@require_POST
def stock_set(request: HttpRequest, variant_id: int) -> HttpResponse:
    product_id = product_of_variant(variant_id)
    text = request.POST.get("stock", "").strip()
    if not text.isdigit() or len(text) > 7:
        messages.error(request, "Enter the counted stock as a whole number, for example 12.")
    else:
        try:
            variant = actions.variant_stock_set(actor=actor(request), variant_id=variant_id,
                                                stock=int(text))
        except ShopError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Stock of {variant.sku} set to {variant.stock}.")
    return redirect("dashboard:product_detail", product_id=product_id)
