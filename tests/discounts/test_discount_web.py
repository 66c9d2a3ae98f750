"""The discount code on the storefront: the cart page's form (htmx and plain), its words for
a code that does not apply, and the review page's total that must still hold when the order
is placed (a code removed in another tab sends the shopper back to review)."""

import re

import pytest

from shop.discounts.demo import demo_codes_seed
from shop.orders.models import Order
from tests.orders.test_checkout_web import add, fill_steps, location, sku

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _codes(db):
    demo_codes_seed()


def test_apply_a_code_in_the_cart_then_remove_it(catalog, alice_web):
    add(alice_web, sku(catalog.mug), 2)  # 29.00
    page = alice_web.post("/cart/discount/", {"code": "welcome10"}, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert page["HX-Trigger"] == "cart-changed"
    text = page.content.decode()
    assert "The code WELCOME10 is applied: 10 % off." in text
    assert "&minus;€2.90" in text
    assert "€31.05" in text  # 29.00 - 2.90 + 4.95
    text = alice_web.post("/cart/discount/", {"code": "NOPE"}, follow=True).content.decode()
    assert "This discount code is not valid." in text
    assert "WELCOME10" in text  # the code in place stays
    alice_web.post("/cart/discount/remove/")
    assert "&minus;€" not in alice_web.get("/cart/").content.decode()


def test_a_guest_can_apply_a_code_to_her_cart(catalog, client):
    add(client, sku(catalog.mug))
    text = client.post("/cart/discount/", {"code": "ONCE5"}, follow=True).content.decode()
    assert "The code ONCE5 is applied: 5.00 off." in text


def test_placing_an_order_whose_total_changed_since_review_goes_back_to_review(catalog,
                                                                             alice_web):
    add(alice_web, sku(catalog.mug), 2)
    alice_web.post("/cart/discount/", {"code": "WELCOME10"})
    fingerprint = fill_steps(alice_web)
    review = alice_web.get("/checkout/review/").content.decode()
    total = re.search(r'name="reviewed_total" value="([0-9.]+)"', review).group(1)
    assert total == "31.05"
    alice_web.post("/cart/discount/remove/")  # in another tab
    response = alice_web.post("/checkout/place/", {"cart": fingerprint, "reviewed_total": total})
    assert location(response) == "/checkout/review/"
    assert not Order.objects.exists()
    review = alice_web.get("/checkout/review/").content.decode()
    total = re.search(r'name="reviewed_total" value="([0-9.]+)"', review).group(1)
    response = alice_web.post("/checkout/place/", {"cart": fingerprint, "reviewed_total": total})
    assert re.match(r"/checkout/complete/BFM-", location(response))
    assert str(Order.objects.get().total) == "33.95"


def test_a_guests_code_follows_her_cart_when_she_signs_in(catalog, client, alice):
    from tests.factories import PASSWORD

    add(client, sku(catalog.mug))
    client.post("/cart/discount/", {"code": "WELCOME10"})
    response = client.post("/account/sign-in/", {"email": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    text = client.get("/cart/").content.decode()
    assert "WELCOME10" in text
    assert "&minus;€1.45" in text
