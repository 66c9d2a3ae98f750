"""Cart rules (shop/cart/services.py): quantities checked against stock and capped, bad input
refused with nothing written, vanished products removed with a message, the sign-in merge."""

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore

from shop.accounts.principal import Principal
from shop.cart.models import MAX_LINE_QUANTITY, Cart, CartLine
from shop.cart.selectors import cart_for
from shop.cart.services import (
    OutOfStock,
    QuantityLimit,
    cart_add_item,
    cart_merge_on_sign_in,
    cart_obtain,
    cart_remove_item,
    cart_set_quantity,
    cart_summary,
)
from shop.catalog.models import Variant
from shop.core.errors import InvalidInput, NotFound
from shop.core.ownership import GUEST_SESSION_KEY
from tests.factories import create_product

pytestmark = pytest.mark.django_db


def variant(product, index=0) -> Variant:
    return list(product.variants.order_by("position", "pk"))[index]


def lines(cart) -> list[tuple[str, int]]:
    return list(cart.lines.order_by("added_at", "id").values_list("sku", "quantity"))


@pytest.fixture
def alice_cart(alice):
    return cart_obtain(viewer=Principal(user=alice, via="session"), session=None)


def test_add_adds_up_and_caps_at_available_stock(catalog, alice_cart):
    mug = variant(catalog.mug)  # 30 in stock
    assert cart_add_item(cart=alice_cart, sku=mug.sku, quantity=2).notices == []
    assert cart_add_item(cart=alice_cart, sku=mug.sku, quantity=3).notices == []
    assert lines(alice_cart) == [(mug.sku, 5)]
    change = cart_add_item(cart=alice_cart, sku=mug.sku, quantity=90)
    assert lines(alice_cart) == [(mug.sku, 30)]
    assert change.notices == ["Only 30 of Stoneware Mug can be bought now: your cart has 30."]
    with pytest.raises(OutOfStock, match="already has them all"):
        cart_add_item(cart=alice_cart, sku=mug.sku, quantity=1)


def test_all_or_nothing_refuses_more_than_there_is_and_writes_nothing(catalog, alice_cart):
    """The storefront's add and change: never half of what was asked, and words that say what
    is left and what can still be added."""
    mug = variant(catalog.mug)  # 30 in stock
    with pytest.raises(OutOfStock, match=r"^Sorry, only 30 of Stoneware Mug left: nothing was "
                                         r"added to your cart\. Choose 30 or fewer\.$"):
        cart_add_item(cart=alice_cart, sku=mug.sku, quantity=31, all_or_nothing=True)
    assert lines(alice_cart) == []
    cart_add_item(cart=alice_cart, sku=mug.sku, quantity=28, all_or_nothing=True)
    with pytest.raises(OutOfStock, match=re.escape(
            "already has 28: nothing was added to your cart. You can add 2 more.")):
        cart_add_item(cart=alice_cart, sku=mug.sku, quantity=3, all_or_nothing=True)
    with pytest.raises(OutOfStock, match="only 30 of Stoneware Mug left: your cart still has 28"):
        cart_set_quantity(cart=alice_cart, sku=mug.sku, quantity=31, all_or_nothing=True)
    assert lines(alice_cart) == [(mug.sku, 28)]
    plenty = variant(create_product("Pencil", category=catalog.home,
                                    variants=[{"price": "1.00", "stock": 500}]))
    cart_add_item(cart=alice_cart, sku=plenty.sku, quantity=95, all_or_nothing=True)
    with pytest.raises(QuantityLimit, match=re.escape(
            "at most 99 of one item and your cart already has 95: nothing was added to your "
            "cart. You can add 4 more.")):
        cart_add_item(cart=alice_cart, sku=plenty.sku, quantity=10, all_or_nothing=True)
    assert lines(alice_cart) == [(mug.sku, 28), (plenty.sku, 95)]


def test_line_quantity_is_capped_at_99(catalog, alice_cart):
    plenty = variant(create_product("Pencil", category=catalog.home,
                                    variants=[{"price": "1.00", "stock": 500}]))
    change = cart_add_item(cart=alice_cart, sku=plenty.sku, quantity=MAX_LINE_QUANTITY)
    assert change.notices == []
    assert lines(alice_cart) == [(plenty.sku, 99)]
    with pytest.raises(QuantityLimit):
        cart_add_item(cart=alice_cart, sku=plenty.sku, quantity=1)
    assert cart_set_quantity(cart=alice_cart, sku=plenty.sku, quantity=99).notices == []


def test_sold_out_and_unknown_skus_are_refused_and_nothing_is_written(catalog, alice_cart):
    with pytest.raises(OutOfStock, match="sold out"):
        cart_add_item(cart=alice_cart, sku=variant(catalog.lamp).sku, quantity=1)
    for bad in ("NOPE", "", "x" * 65, "SKU\x00", variant(catalog.lamp).sku + " "):
        with pytest.raises(InvalidInput):
            cart_add_item(cart=alice_cart, sku=bad, quantity=1)
    for quantity in (0, -1, 100, 10**9, 1.5, "2", True):
        with pytest.raises(InvalidInput):
            cart_add_item(cart=alice_cart, sku=variant(catalog.mug).sku, quantity=quantity)
    assert CartLine.objects.count() == 0


def test_inactive_products_cannot_be_added(catalog, alice_cart):
    catalog.mug.is_active = False
    catalog.mug.save()
    with pytest.raises(InvalidInput):
        cart_add_item(cart=alice_cart, sku=variant(catalog.mug).sku, quantity=1)


def test_set_quantity_caps_zero_removes_and_unknown_lines_are_404(catalog, alice_cart):
    tee_s = variant(catalog.tee, 0)  # 4 in stock
    cart_add_item(cart=alice_cart, sku=tee_s.sku, quantity=1)
    change = cart_set_quantity(cart=alice_cart, sku=tee_s.sku, quantity=9)
    assert lines(alice_cart) == [(tee_s.sku, 4)]
    assert "Only 4" in change.notices[0]
    cart_set_quantity(cart=alice_cart, sku=tee_s.sku, quantity=0)
    assert lines(alice_cart) == []
    with pytest.raises(NotFound):
        cart_set_quantity(cart=alice_cart, sku=tee_s.sku, quantity=1)
    with pytest.raises(NotFound):
        cart_remove_item(cart=alice_cart, sku=tee_s.sku)
    with pytest.raises(InvalidInput):
        cart_set_quantity(cart=alice_cart, sku=tee_s.sku, quantity=-1)


def test_summary_removes_vanished_items_and_lowers_quantities_with_notices(catalog, alice_cart):
    mug, hoodie, tee_l = variant(catalog.mug), variant(catalog.hoodie), variant(catalog.tee, 2)
    cart_add_item(cart=alice_cart, sku=mug.sku, quantity=2)
    cart_add_item(cart=alice_cart, sku=hoodie.sku, quantity=2)
    cart_add_item(cart=alice_cart, sku=tee_l.sku, quantity=5)
    extra = variant(create_product("Old Scarf", category=catalog.clothing))
    cart_add_item(cart=alice_cart, sku=extra.sku, quantity=1)

    catalog.mug.is_active = False  # product withdrawn
    catalog.mug.save()
    extra.delete()  # variant deleted
    Variant.objects.filter(pk=hoodie.pk).update(stock=0)  # sold out
    Variant.objects.filter(pk=tee_l.pk).update(stock=3)  # fewer than in the cart

    summary = cart_summary(cart=alice_cart)
    assert [(line.sku, line.quantity) for line in summary.lines] == [(tee_l.sku, 3)]
    assert summary.notices == [
        "Stoneware Mug is no longer available and was removed from your cart.",
        "Heavyweight Hoodie (M) sold out and was removed from your cart.",
        "Only 3 of Organic Cotton Tee (L / Navy) left: we changed the quantity.",
        "Old Scarf is no longer available and was removed from your cart.",
    ]
    assert lines(alice_cart) == [(tee_l.sku, 3)]
    assert str(summary.subtotal) == "78.00"
    assert cart_summary(cart=alice_cart).notices == []  # fixed once, quiet afterwards


def test_guest_cart_is_bound_to_its_session_only(catalog):
    session = SessionStore()
    guest = Principal(user=None)
    assert cart_for(viewer=guest, session=session) is None
    cart = cart_obtain(viewer=guest, session=session)
    assert cart.user_id is None
    assert cart.guest_token == session[GUEST_SESSION_KEY]
    assert cart_for(viewer=guest, session=session) == cart
    assert cart_for(viewer=guest, session=SessionStore()) is None  # another browser
    assert cart_for(viewer=guest, session=None) is None


def test_merge_moves_only_this_browsers_guest_cart(catalog, alice, alice_cart):
    mug, tee_l, hoodie = variant(catalog.mug), variant(catalog.tee, 2), variant(catalog.hoodie)
    cart_add_item(cart=alice_cart, sku=mug.sku, quantity=29)
    mine, theirs = SessionStore(), SessionStore()
    my_guest_cart = cart_obtain(viewer=Principal(user=None), session=mine)
    cart_add_item(cart=my_guest_cart, sku=mug.sku, quantity=5)
    cart_add_item(cart=my_guest_cart, sku=tee_l.sku, quantity=2)
    their_guest_cart = cart_obtain(viewer=Principal(user=None), session=theirs)
    cart_add_item(cart=their_guest_cart, sku=hoodie.sku, quantity=1)

    change = cart_merge_on_sign_in(session=mine, user=alice)

    assert sorted(lines(alice_cart)) == sorted([(mug.sku, 30), (tee_l.sku, 2)])
    assert change.notices == ["Only 30 of Stoneware Mug available: your cart has 30."]
    assert not Cart.objects.filter(pk=my_guest_cart.pk).exists()
    assert GUEST_SESSION_KEY not in mine
    # the other browser's guest cart is untouched
    assert lines(their_guest_cart) == [(hoodie.sku, 1)]
    assert cart_merge_on_sign_in(session=SessionStore(), user=alice).notices == []


def test_merge_into_a_user_without_a_cart_creates_it(catalog, bob):
    session = SessionStore()
    guest_cart = cart_obtain(viewer=Principal(user=None), session=session)
    cart_add_item(cart=guest_cart, sku=variant(catalog.mug).sku, quantity=1)
    cart_merge_on_sign_in(session=session, user=bob)
    assert lines(Cart.objects.get(user=bob)) == [(variant(catalog.mug).sku, 1)]
