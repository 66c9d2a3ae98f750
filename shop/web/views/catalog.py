"""Storefront catalog pages. All public (shop/policy/cache.py): they are rendered for an
anonymous visitor and must not use the session, the user or a CSRF token."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from shop.catalog import picker
from shop.catalog import selectors as catalog
from shop.core.errors import InvalidInput

from ..forms import ProductFilterForm


def home(request: HttpRequest) -> HttpResponse:
    categories = catalog.category_list()
    return render(
        request,
        "web/home.html",
        {
            "top_categories": [c for c in categories if c.parent_id is None],
            "featured": catalog.product_featured(limit=8),
            "newest": catalog.product_list(
                filters=catalog.ProductFilters(), limit=8
            ).items,
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
        sort=data["sort"] or catalog.DEFAULT_SORT,
    )


def _listing(request: HttpRequest, *, category=None) -> HttpResponse:
    form = ProductFilterForm(request.GET)
    filters = _filters_from(form, category=category.slug if category else "")
    categories = catalog.category_list()
    page = catalog.product_list(
        filters=filters, cursor=form.cleaned_data["cursor"] or None, limit=settings.SHOP_PAGE_SIZE
    )
    params = {k: v for k, v in request.GET.items() if k != "cursor" and v}
    next_url = (
        "?" + urlencode({**params, "cursor": page.next_cursor}) if page.next_cursor else None  # type: ignore[arg-type]
    )
    first_url = ("?" + urlencode(params)) if params else "?"  # type: ignore[arg-type]
    return render(
        request,
        "web/product_list.html",
        {
            "form": form,
            "filters": filters,
            "category": category,
            "subcategories": [c for c in categories if category and c.parent_id == category.pk],
            "top_categories": [c for c in categories if c.parent_id is None],
            "categories": categories,
            "page": page,
            "next_url": next_url,
            "first_url": first_url,
            "is_first_page": not form.cleaned_data["cursor"],
        },
    )


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
