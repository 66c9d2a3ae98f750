"""Cart API (docs/contract.md §4): the signed-in user's cart. Private, no-store
(shop/policy/cache.py).
Each function calls one service and answers the whole cart."""

from ninja import Router

from shop.cart import services
from shop.cart.selectors import cart_for
from shop.core.errors import NotFound
from shop.discounts.services import cart_discount_apply, cart_discount_remove
from shop.orders.pricing import cart_quote

from .auth import bearer
from .schemas.cart import CartItemIn, CartOut, CartQuantityIn, DiscountIn, cart_out

router = Router(tags=["cart"], auth=bearer)


def _current(request, notices: list[str] | None = None) -> dict:
    cart = cart_for(viewer=request.auth)
    summary = services.cart_summary(cart=cart)
    quote = cart_quote(principal=request.auth, cart_id=cart.pk if cart else None,
                       line_totals=[line.line_total for line in summary.lines])
    return cart_out(summary, quote, notices=notices)


@router.get("/cart", response=CartOut, url_name="cart")
def cart_get(request):
    """The caller's cart, priced now. Items that vanished or sold out are removed and
    quantities above what is available are lowered, each with a notice."""
    return _current(request)


@router.post("/cart/items", response=CartOut, url_name="cart_items")
def cart_item_add(request, payload: CartItemIn):
    """Adds units of a SKU (capped at what is available and at 99 per item, with a notice).
    409 when not one more unit can be added."""
    cart = services.cart_obtain(viewer=request.auth, session=None)
    change = services.cart_add_item(cart=cart, sku=payload.sku, quantity=payload.quantity)
    return _current(request, change.notices)


@router.patch("/cart/items/{sku}", response=CartOut, url_name="cart_item_update")
def cart_item_update(request, sku: str, payload: CartQuantityIn):
    """Sets the quantity of an item in the cart; 0 removes it. 404 when it is not in the
    cart."""
    change = services.cart_set_quantity(
        cart=_cart_or_404(request), sku=sku, quantity=payload.quantity
    )
    return _current(request, change.notices)


@router.delete("/cart/items/{sku}", response=CartOut, url_name="cart_item_delete")
def cart_item_delete(request, sku: str):
    """Removes an item from the cart. 404 when it is not in the cart."""
    services.cart_remove_item(cart=_cart_or_404(request), sku=sku)
    return _current(request)


def _cart_or_404(request):
    cart = cart_for(viewer=request.auth)
    if cart is None:
        raise NotFound("This item is not in your cart.")
    return cart


@router.post("/cart/discount", response=CartOut, url_name="cart_discount")
def cart_discount_add(request, payload: DiscountIn):
    """Applies a discount code to the cart (one at a time: a new one replaces the old).
    422 `discount_invalid` when the code is unknown, switched off, not started, expired,
    used up (in all, or by you) or needs a higher subtotal; the cart is unchanged then. The
    code is checked again at checkout."""
    cart = services.cart_obtain(viewer=request.auth, session=None)
    summary = services.cart_summary(cart=cart)
    user = request.auth.user
    cart_discount_apply(cart_id=cart.pk, text=payload.code, subtotal=summary.subtotal,
                        user_id=user.pk, email=user.email)
    return _current(request)


@router.delete("/cart/discount", response=CartOut, url_name="cart_discount")
def cart_discount_delete(request):
    """Takes the discount code off the cart."""
    cart = cart_for(viewer=request.auth)
    cart_discount_remove(cart_id=cart.pk if cart else None)
    return _current(request)
