"""A guest who applied a discount code to her cart on the storefront pays the total the review
page showed her, code included, by card and on the provider's hosted page: the guest order is
placed with her cart's code (it was priced on the review page but left out of the order)."""

import re

import pytest
from django.test import Client

from shop.discounts.demo import demo_codes_seed
from shop.discounts.models import CartDiscount
from shop.orders.models import Order
from tests.orders.test_guest_checkout_web import CARD, UK, location, sku

pytestmark = pytest.mark.django_db


def guest_reviews_with_code(client: Client, sku_: str, *, card: dict | None) -> str:
    """The guest's cart (2 units of `sku_`) with WELCOME10, through to the review; the total
    the review page shows."""
    demo_codes_seed()
    assert client.post("/cart/add/", {"sku": sku_, "quantity": 2}).status_code == 302
    client.post("/cart/discount/", {"code": "welcome10"})
    client.post("/checkout/guest/", {"email": "gwen.guest@example.com"})
    assert location(client.post("/checkout/address/", UK)) == "/checkout/delivery/"
    client.post("/checkout/delivery/", {"shipping_method": "standard"})
    assert location(client.post("/checkout/payment/", card or {})) == "/checkout/review/"
    review = client.get("/checkout/review/").content.decode()
    assert "WELCOME10" in review
    return review


def test_a_guest_pays_the_reviewed_total_with_her_carts_code(catalog, client):
    review = guest_reviews_with_code(client, sku(catalog.mug), card=CARD)
    fingerprint = re.search(r'name="cart" value="([0-9a-f]+)"', review).group(1)
    total = re.search(r'name="reviewed_total" value="([0-9.]+)"', review).group(1)
    assert location(client.post("/checkout/place/", {"cart": fingerprint,
                                                     "reviewed_total": total})) == (
        "/checkout/guest/complete/")
    order = Order.objects.get()
    assert order.discount_code == "WELCOME10"
    assert str(order.total) == total == "31.05"  # 29.00 - 2.90 + 4.95
    assert not CartDiscount.objects.exists()  # used: off the cart


@pytest.mark.django_db(transaction=True)
def test_the_hosted_page_asks_the_reviewed_total_with_her_carts_code(stripe_shop, client):
    review = guest_reviews_with_code(client, "MUG-1", card=None)
    fingerprint = re.search(r'name="cart" value="([0-9a-f]+)"', review).group(1)
    total = re.search(r'name="reviewed_total" value="([0-9.]+)"', review).group(1)
    response = client.post("/checkout/place/", {"cart": fingerprint, "reviewed_total": total})
    session = stripe_shop.sessions[response["Location"].rsplit("/", 1)[1]]
    assert Order.objects.get().discount_code == "WELCOME10"
    assert session["amount_total"] == 3105
    assert not CartDiscount.objects.exists()
    # she leaves the provider's page: her lines and her code come back
    client.get(session["cancel_url"].removeprefix("http://testserver"))
    assert "WELCOME10" in client.get("/cart/").content.decode()
