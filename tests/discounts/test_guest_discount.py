"""Guest checkout with a discount code (SPEC §4.1 `discount_code?`): the code is priced and
counted like a signed-in shopper's; a one-use code goes to one guest; a per-customer limit
counts guests by e-mail; UK VAT is shown."""

import pytest
from django.test import Client

from shop.discounts.demo import demo_codes_seed
from shop.discounts.models import DiscountCode
from shop.orders.models import Order
from tests.orders.test_guest_checkout_api import body, place

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
