"""Storefront cart: the cart page, its htmx changes, the add-to-cart and cart-count fragments.

All private, no-store (shop/policy/cache.py). Guests have a cart bound to their session;
signed-in shoppers have theirs bound to their account. Which cart is read is decided by
shop.cart.selectors.cart_for; the rules are in shop/cart/services.py.

With htmx (HX-Request) a change answers the updated fragment and triggers `cart-changed`
(the header's count listens); without JavaScript the forms post normally and redirect back.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from shop.cart import services
from shop.cart.selectors import cart_for, cart_item_count
from shop.catalog.selectors import product_get
from shop.core.errors import ShopError

from ..forms_checkout import CartLineForm

CART_CHANGED = "cart-changed"
QUANTITY_CHOICES = 10


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _cart(request: HttpRequest):
    return cart_for(viewer=request.principal, session=request.session)


def _cart_context(request: HttpRequest, *, notices=(), errors=()) -> dict:
    summary = services.cart_summary(cart=_cart(request))
    return {
        "summary": summary,
        "notices": [*notices, *summary.notices],
        "errors": list(errors),
        "signed_in": request.principal.is_authenticated,
    }


@require_GET
def cart_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/cart/cart.html", _cart_context(request))


def _answer(request: HttpRequest, *, notices=(), errors=()) -> HttpResponse:
    """The cart fragment for htmx, else back to the cart page with the words as messages."""
    if is_htmx(request):
        response = render(
            request, "web/cart/_cart.html", _cart_context(request, notices=notices, errors=errors)
        )
        response["HX-Trigger"] = CART_CHANGED
        return response
    for text in notices:
        messages.info(request, text)
    for text in errors:
        messages.error(request, text)
    return redirect("web:cart")


def _line_form(request: HttpRequest) -> CartLineForm | None:
    form = CartLineForm(request.POST)
    return form if form.is_valid() else None


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    form = _line_form(request)
    if form is None or form.cleaned_data["quantity"] is None:
        return _answer(request, errors=["Choose a quantity from 0 to 99."])
    cart = _cart(request)
    if cart is None:
        return _answer(request, errors=["This item is not in your cart."])
    try:
        change = services.cart_set_quantity(
            cart=cart, sku=form.cleaned_data["sku"], quantity=form.cleaned_data["quantity"]
        )
    except ShopError as error:
        return _answer(request, errors=[error.message])
    return _answer(request, notices=change.notices)


@require_POST
def cart_remove(request: HttpRequest) -> HttpResponse:
    form = _line_form(request)
    cart = _cart(request)
    if form is None or cart is None:
        return _answer(request, errors=["This item is not in your cart."])
    try:
        services.cart_remove_item(cart=cart, sku=form.cleaned_data["sku"])
    except ShopError as error:
        return _answer(request, errors=[error.message])
    return _answer(request)


# --- adding, from the (public, cached) product page through a private fragment


def _add_box(request: HttpRequest, *, slug: str, sku: str, status: int = 200, **extra):
    """The add-to-cart box of one variant: its form (with this visitor's CSRF token) and the
    stock available now. Never cached: the product page around it is."""
    product = product_get(slug=slug)
    variants = list(product.variants.all())
    variant = next((v for v in variants if v.sku == sku), None) or next(
        (v for v in variants if v.available > 0), variants[0] if variants else None
    )
    choices = range(1, min(QUANTITY_CHOICES, variant.available) + 1) if variant else range(0)
    context = {"product": product, "variant": variant, "choices": choices, **extra}
    return render(request, "web/cart/_add_to_cart.html", context, status=status)


@require_GET
def add_to_cart_fragment(request: HttpRequest, slug: str) -> HttpResponse:
    return _add_box(request, slug=slug, sku=request.GET.get("variant", "")[:64])


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = _line_form(request)
    quantity = form.cleaned_data["quantity"] if form else None
    slug = request.POST.get("product", "")[:220]
    error = None
    notices: list[str] = []
    if form is None or not quantity:
        error = "Choose a quantity from 1 to 99."
    else:
        try:
            cart = services.cart_obtain(viewer=request.principal, session=request.session)
            notices = services.cart_add_item(
                cart=cart, sku=form.cleaned_data["sku"], quantity=quantity
            ).notices
        except ShopError as failure:
            error = failure.message
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Added to your cart.")
        for text in notices:
            messages.info(request, text)
        return redirect("web:cart")
    sku = form.cleaned_data["sku"] if form else ""
    try:
        response = _add_box(
            request, slug=slug, sku=sku, added=error is None, error=error, notices=notices
        )
    except ShopError:  # the product went away meanwhile: the message is all there is to say
        response = render(request, "web/cart/_add_to_cart.html", {"error": error})
    if error is None:
        response["HX-Trigger"] = CART_CHANGED
    return response


@require_GET
def cart_count_fragment(request: HttpRequest) -> HttpResponse:
    count = cart_item_count(cart=_cart(request))
    return render(request, "web/cart/_count.html", {"count": count})
