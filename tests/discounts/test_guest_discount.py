"""Guest checkout with a discount code (SPEC §4.1 `discount_code?`): the code is priced and
counted like a signed-in shopper's; a one-use code goes to one guest; a per-customer limit
counts guests by e-mail; UK VAT is shown."""

import re

import pytest
from django.test import Client

from shop.discounts.demo import demo_codes_seed
from shop.discounts.models import CartDiscount, DiscountCode
from shop.orders.models import Order, Payment
from tests.factories import DECLINED_CARD
from tests.orders.test_guest_checkout_api import body, place, sku
from tests.orders.test_guest_checkout_web import CARD, UK

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _codes(db):
    demo_codes_seed()


def test_a_guest_buys_with_welcome10_to_a_uk_address(catalog):
    response = place(Client(), body(catalog, discount_code="welcome10"))
    assert response.status_code == 201, response.content
    order = response.json()
    # 2 x 14.50 = 29.00, 10 % off 2.90, standard delivery 4.95; UK VAT included
    assert (order["discount_code"], order["discount"], order["total"]) == (
        "WELCOME10", "2.90", "31.05")
    assert (order["tax_included"], order["tax"]) == (True, "5.18")  # 26.10/6=4.35 + 0.83
    assert order["order_token"]


def test_a_one_use_code_goes_to_one_guest_and_bad_codes_write_nothing(catalog):
    first = place(Client(), body(catalog, discount_code="ONCE5"))
    assert first.status_code == 201
    second = place(Client(), body(catalog, email="other.guest@example.com",
                                  discount_code="ONCE5"))
    assert second.status_code == 422
    assert second.json()["error"]["code"] == "discount_invalid"
    assert place(Client(), body(catalog, discount_code="NOPE")).status_code == 422
    assert Order.objects.count() == 1
    assert DiscountCode.objects.get(code="ONCE5").used_count == 1


def test_a_per_customer_limit_counts_a_guest_by_email(catalog):
    DiscountCode.objects.filter(code="WELCOME10").update(max_uses_per_customer=1)
    assert place(Client(), body(catalog, discount_code="WELCOME10")).status_code == 201
    again = place(Client(), body(catalog, email="GWEN.guest@example.com",
                                 discount_code="WELCOME10"))
    assert again.status_code == 422
    assert "already used" in again.json()["error"]["message"]


# --- the storefront: the code on a guest's cart is the code of her order


def guest_reviews(client, catalog, *, email: str, code: str) -> tuple[str, str]:
    """A guest with `code` on her cart goes to the review; (cart fingerprint, reviewed total)."""
    assert client.post("/cart/add/", {"sku": sku(catalog.mug), "quantity": 2}).status_code == 302
    client.post("/cart/discount/", {"code": code})
    client.post("/checkout/guest/", {"email": email})
    client.post("/checkout/address/", UK)
    client.post("/checkout/delivery/", {"shipping_method": "standard"})
    client.post("/checkout/payment/", CARD)
    review = client.get("/checkout/review/").content.decode()
    return (re.search(r'name="cart" value="([0-9a-f]+)"', review).group(1),
            re.search(r'name="reviewed_total" value="([0-9.]+)"', review).group(1))


def test_a_storefront_guest_pays_the_total_she_reviewed_with_her_code(catalog):
    client = Client()
    fingerprint, total = guest_reviews(client, catalog, email="gwen@example.com",
                                       code="WELCOME10")
    assert total == "31.05"  # 29.00 - 2.90 + 4.95
    placed = client.post("/checkout/place/", {"cart": fingerprint, "reviewed_total": total})
    assert placed["Location"] == "/checkout/guest/complete/"
    order = Order.objects.get()
    assert (str(order.total), order.discount_code, str(order.discount_total)) == (
        "31.05", "WELCOME10", "2.90")
    assert DiscountCode.objects.get(code="WELCOME10").used_count == 1
    assert not CartDiscount.objects.exists()  # the code went with the order


def test_a_storefront_guest_cannot_use_a_once_per_customer_code_twice(catalog):
    DiscountCode.objects.filter(code="WELCOME10").update(max_uses_per_customer=1)
    first = Client()
    fingerprint, total = guest_reviews(first, catalog, email="gwen@example.com",
                                       code="WELCOME10")
    first.post("/checkout/place/", {"cart": fingerprint, "reviewed_total": total})
    assert Order.objects.get().discount_code == "WELCOME10"
    # the same guest again, her address typed otherwise: back to the cart, nothing placed
    second = Client()
    fingerprint, total = guest_reviews(second, catalog, email=" Gwen@Example.COM ",
                                       code="WELCOME10")
    refused = second.post("/checkout/place/", {"cart": fingerprint, "reviewed_total": total},
                          follow=True)
    assert refused.redirect_chain[-1][0] == "/cart/"
    assert "You have already used the code WELCOME10." in refused.content.decode()
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1


def test_a_declined_storefront_guest_keeps_her_code_on_the_cart(catalog):
    client = Client()
    guest_reviews(client, catalog, email="gwen@example.com", code="WELCOME10")
    client.post("/checkout/payment/", {**CARD, "card_number": DECLINED_CARD})
    review = client.get("/checkout/review/").content.decode()
    fingerprint = re.search(r'name="cart" value="([0-9a-f]+)"', review).group(1)
    total = re.search(r'name="reviewed_total" value="([0-9.]+)"', review).group(1)
    declined = client.post("/checkout/place/", {"cart": fingerprint, "reviewed_total": total})
    assert declined["Location"] == "/checkout/payment/"
    assert not Order.objects.exists()
    assert DiscountCode.objects.get(code="WELCOME10").used_count == 0
    assert CartDiscount.objects.get().code.code == "WELCOME10"  # still hers for the next try


def test_a_storefront_guest_sees_at_review_that_she_already_used_her_code(catalog):
    """The review prices the cart for the e-mail address she gave (as placing will): no
    discount shown that placing would refuse."""
    DiscountCode.objects.filter(code="WELCOME10").update(max_uses_per_customer=1)
    assert place(Client(), body(catalog, email="gwen@example.com",
                                discount_code="WELCOME10")).status_code == 201
    again = Client()
    _fingerprint, total = guest_reviews(again, catalog, email="GWEN@example.com ",
                                        code="WELCOME10")
    assert total == "33.95"  # 29.00 + 4.95, no discount
    review = again.get("/checkout/review/").content.decode()
    assert "You have already used the code WELCOME10." in review
