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
from shop.cart.models import MAX_LINE_QUANTITY
from shop.cart.selectors import cart_for, cart_item_count
from shop.catalog.picker import quantity_offered
from shop.catalog.selectors import product_get
from shop.core.errors import ShopError
from shop.discounts.models import CODE_MAX_LENGTH
from shop.discounts.services import DiscountInvalid, cart_discount_apply, cart_discount_remove

from ..forms_checkout import CartLineForm
from .money import quote_for

CART_CHANGED = "cart-changed"
QUANTITY_CHOICES = 10


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _cart(request: HttpRequest):
    return cart_for(viewer=request.principal, session=request.session)


def _cart_context(request: HttpRequest, *, notices=(), errors=()) -> dict:
    cart = _cart(request)
    summary = services.cart_summary(cart=cart)
    quote = quote_for(request, cart=cart, summary=summary)
    if quote.discount_problem:
        notices = [*notices, quote.discount_problem]
    return {
        "summary": summary,
        "quote": quote,
        "code_max_length": CODE_MAX_LENGTH,
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


def _quantity_error(request: HttpRequest) -> str:
    """The words for a quantity the form refused: the same limit as the line's input (its
    `max`, what can be bought now, at most MAX_LINE_QUANTITY)."""
    sku = request.POST.get("sku", "")[:64]
    summary = services.cart_summary(cart=_cart(request))
    limit = next((line.max_quantity for line in summary.lines if line.sku == sku),
                 MAX_LINE_QUANTITY)
    return f"Choose a quantity from 0 to {limit}."


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    form = _line_form(request)
    if form is None or form.cleaned_data["quantity"] is None:
        return _answer(request, errors=[_quantity_error(request)])
    cart = _cart(request)
    if cart is None:
        return _answer(request, errors=["This item is not in your cart."])
    try:
        change = services.cart_set_quantity(
            cart=cart, sku=form.cleaned_data["sku"], quantity=form.cleaned_data["quantity"],
            all_or_nothing=True,
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


# --- the discount code (shop/discounts; checked again at checkout)


@require_POST
def cart_discount_add(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("code", "")[:CODE_MAX_LENGTH + 10].strip()
    if not text:
        return _answer(request, errors=["Enter a discount code."])
    cart = services.cart_obtain(viewer=request.principal, session=request.session)
    summary = services.cart_summary(cart=cart)
    user = request.principal.user if request.principal.is_authenticated else None
    try:
        code = cart_discount_apply(cart_id=cart.pk, text=text, subtotal=summary.subtotal,
                                   user_id=user.pk if user else None,
                                   email=user.email if user else "")
    except DiscountInvalid as invalid:
        return _answer(request, errors=[invalid.message])
    return _answer(request, notices=[f"The code {code.code} is applied: {code.label}."])


@require_POST
def cart_discount_delete(request: HttpRequest) -> HttpResponse:
    cart = _cart(request)
    cart_discount_remove(cart_id=cart.pk if cart else None)
    return _answer(request, notices=["The discount code was removed."])


# --- adding, from the (public, cached) product page through a private fragment


def _add_box(request: HttpRequest, *, slug: str, sku: str, status: int = 200, **extra):
    """The add-to-cart box of one variant: its form (with this visitor's CSRF token) and the
    stock available now. Never cached: the product page around it is."""
    product = product_get(slug=slug)
    variants = list(product.variants.all())
    variant = next((v for v in variants if v.sku == sku), None) or next(
        (v for v in variants if v.available > 0), variants[0] if variants else None
    )
    choices = range(1, quantity_offered(variant.available, most=QUANTITY_CHOICES) + 1
                    ) if variant else range(0)
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
                cart=cart, sku=form.cleaned_data["sku"], quantity=quantity, all_or_nothing=True
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
