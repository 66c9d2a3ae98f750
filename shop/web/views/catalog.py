"""Storefront catalog pages. All public (shop/policy/cache.py): they are rendered for an
anonymous visitor and must not use the session, the user or a CSRF token."""

from dataclasses import replace
from math import ceil

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from shop.catalog import aggregates, picker
from shop.catalog import selectors as catalog
from shop.core.errors import InvalidInput
from shop.core.pagination import page_window
from shop.core.request_context import current_request_id

from ..cards import (
    category_nav,
    category_options,
    facet_links,
    product_cards,
    query_url,
    sort_options,
)
from ..forms import ProductFilterForm


def home(request: HttpRequest) -> HttpResponse:
    categories = catalog.category_list()
    top = [c for c in categories if c.parent_id is None]
    return render(
        request,
        "web/home.html",
        {
            "top_categories": top,
            "nav": category_nav(top),
            "featured": product_cards(catalog.product_featured(limit=8)),
            "newest": product_cards(
                catalog.product_list(filters=catalog.ProductFilters(), limit=8).items
            ),
        },
    )


def _filters_from(form: ProductFilterForm, *, category: str = "") -> catalog.ProductFilters:
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        raise InvalidInput(f"{label}: {errors[0]}")
    data = form.cleaned_data
    return catalog.ProductFilters(
        q=data["q"].strip(),
        category=category or data["category"],
        min_price=data["min_price"],
        max_price=data["max_price"],
        in_stock=data["in_stock"],
        sort=data["sort"] or "",
        size=data["size"].strip(),
        colour=data["colour"].strip(),
    )


def _listing(request: HttpRequest, *, category=None) -> HttpResponse:
    categories = catalog.category_list()
    form = ProductFilterForm(request.GET)
    params = {k: v for k, v in request.GET.items() if v and k in form.fields}
    context = {
        "form": form,
        # every field, typed or not: a missing key costs the template a failed lookup each
        "values": {name: params.get(name, "") for name in form.fields},
        "category": category,
        "subcategories": [c for c in categories if category and c.parent_id == category.pk],
        "top_categories": [c for c in categories if c.parent_id is None],
        "category_options": category_options(catalog.category_tree(categories),
                                             params.get("category")),
        "sort_options": sort_options(form.fields["sort"].choices, params.get("sort", "")),
        "error": "",
    }
    try:
        context.update(_results(form, params, categories, category))
    except InvalidInput as error:  # shown in the page, next to the filters (never a bare 400)
        context.update({"error": error.message, "items": [], "count": 0,
                        "request_id": getattr(request, "request_id", "") or current_request_id()})
        status = 400
    else:
        status = 200
    context["nav"] = category_nav(context["top_categories"], category=category,
                                  filters=context.get("filters"))
    return render(request, "web/product_list.html", context, status=status)


def _results(form: ProductFilterForm, params: dict, categories, category) -> dict:
    filters = _filters_from(form, category=category.slug if category else "")
    per_page = settings.SHOP_PAGE_SIZE
    number = form.cleaned_data["page"] or 1
    found = aggregates.facets(filters, categories=categories)
    searched_for = ""
    if found.count == 0 and filters.q:
        corrected = aggregates.suggestion(filters.q)
        if corrected:  # "did you mean": show what the corrected text finds
            searched_for, filters = filters.q, replace(filters, q=corrected)
            found = aggregates.facets(filters, categories=categories)
            params = {**params, "q": corrected}
    reachable = min(found.count, catalog.MAX_RESULTS)
    last = max(1, ceil(reachable / per_page))
    if number > last:
        raise InvalidInput(f"There are {last} pages of results; this one is past the last.")
    items = catalog.product_page(filters=filters, number=number, per_page=per_page,
                                 categories=categories, tier_counts=found.tiers
                                 ) if found.count else []
    return {
        "filters": filters,
        "items": items,
        "cards": product_cards(items),
        "count": found.count,
        "searched_for": searched_for,
        "facets": facet_links(found, params, in_category=category is not None),
        "page_number": number,
        "last_page": last,
        "capped": found.count > reachable,
        "pages": [(n, query_url(params, page=n if n > 1 else "")) if n else (None, "")
                  for n in page_window(number, last)],
        "previous_url": (query_url(params, page=number - 1 if number > 2 else "")
                         if number > 1 else ""),
        "next_url": query_url(params, page=number + 1) if number < last else "",
        "clear_url": query_url({}),
    }


def category(request: HttpRequest, slug: str) -> HttpResponse:
    return _listing(request, category=catalog.category_get(slug=slug))


def product_list(request: HttpRequest) -> HttpResponse:
    return _listing(request)


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The product with its variant picker (shop/catalog/picker.py): a plain GET form, so the
    choice is in the URL and the page stays the same for everyone (public, cached)."""
    product = catalog.product_get(slug=slug)
    names = picker.option_names(product)
    wanted = {name: request.GET.get(name, "")[:40] for name in names}
    pick = picker.variant_pick(product=product, sku=request.GET.get("variant", "")[:64],
                               wanted=wanted)
    if any(wanted.values()) and pick.chosen is not None:
        # One address per variant (?variant=SKU): the picker's form sends the options, the
        # answer is the variant's own URL (for htmx too: it pushes where it was redirected).
        return redirect(f"{request.path}?{urlencode({'variant': pick.chosen.sku})}")
    return render(
        request,
        "web/product_detail.html",
        {
            "product": product,
            "pick": pick,
            "chosen": pick.chosen,
            "images": pick.images,
            "any_available": pick.any_available,
        },
    )
