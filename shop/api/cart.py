"""Cart API (docs/contract.md §4): the signed-in user's cart. Private, no-store
(shop/policy/cache.py).
Each function calls one service and answers the whole cart."""

from ninja import Router

from shop.cart import services
from shop.cart.selectors import cart_for
from shop.core.errors import NotFound

from .auth import bearer
from .schemas.cart import CartItemIn, CartOut, CartQuantityIn, cart_out

router = Router(tags=["cart"], auth=bearer)


def _current(request, notices: list[str] | None = None) -> dict:
    cart = cart_for(viewer=request.auth)
    return cart_out(services.cart_summary(cart=cart), notices=notices)


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
