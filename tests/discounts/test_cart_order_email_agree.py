"""Property test through the real stack (issue 14): for any basket, code and destination, the
cart's answer, the placed order's answer, the stored order and its confirmation e-mail show
the same amounts, to the cent, and total = subtotal - discount + shipping (+ tax when not
included)."""

from decimal import Decimal

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.accounts.models import Address
from shop.cart.models import CartLine
from shop.discounts.models import DiscountCode
from shop.orders.models import Order
from tests.factories import checkout_body, create_category, create_product
from tests.support.api import api_call
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db

PRICES = ("0.99", "9.95", "14.50", "33.33", "119.00")
DESTINATIONS = {
    "GB": ("SW1A 1AA", "London", ""), "DE": ("10115", "Berlin", ""),
    "HU": ("1051", "Budapest", ""), "CH": ("8001", "Zurich", ""),
    "US": ("73301", "Austin", "TX"),
}
FIELDS = ("subtotal", "discount", "shipping", "tax", "tax_included", "total", "discount_code")


@pytest.fixture
def shelf(db):
    category = create_category("Property")
    return [create_product(f"Thing {i}", category=category,
                           variants=[{"price": p, "stock": 100_000, "sku": f"PROP-{i}"}])
            for i, p in enumerate(PRICES)]


basket = st.dictionaries(st.sampled_from(range(len(PRICES))), st.integers(1, 7), min_size=1,
                         max_size=len(PRICES))
code = st.one_of(st.none(), st.tuples(st.sampled_from(["percent", "fixed"]),
                                      st.decimals("0.01", "100", places=2)))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(basket=basket, code=code, country=st.sampled_from(sorted(DESTINATIONS)),
       method=st.sampled_from(["standard", "express"]))
def test_cart_order_and_email_agree_to_the_cent(shelf, alice, alice_api, basket, code,
                                                country, method):
    CartLine.objects.filter(cart__user=alice).delete()
    Address.objects.filter(user=alice).delete()
    postal_code, city, state = DESTINATIONS[country]
    address = {"name": "Alice", "line1": "1 Test Street", "line2": "", "city": city,
               "postal_code": postal_code, "country": country, "state": state}
    Address.objects.create(user=alice, is_default=True,
                           **{k: v for k, v in address.items() if k != "line2"})
    for index, quantity in basket.items():
        assert api_call(alice_api, "post", "/api/v1/cart/items",
                        {"sku": f"PROP-{index}", "quantity": quantity}).status_code == 200
    alice_api.delete("/api/v1/cart/discount")
    if code is not None:
        kind, value = code
        DiscountCode.objects.update_or_create(code="PROP", defaults={
            "kind": kind, "value": value, "is_active": True})
        assert api_call(alice_api, "post", "/api/v1/cart/discount",
                        {"code": "PROP"}).status_code == 200
    cart = alice_api.get("/api/v1/cart").json()  # priced for standard delivery
    response = alice_api.post("/api/v1/checkout", checkout_body(address, method=method),
                              content_type="application/json")
    assert response.status_code == 201, response.content
    order = response.json()
    if method == "standard":
        assert {f: cart[f] for f in FIELDS} == {f: order[f] for f in FIELDS}
    d = {f: Decimal(order[f]) for f in ("subtotal", "discount", "shipping", "tax", "total")}
    added = Decimal("0") if order["tax_included"] else d["tax"]
    assert d["total"] == d["subtotal"] - d["discount"] + d["shipping"] + added >= 0
    assert sum(Decimal(i["discount"]) for i in order["items"]) == d["discount"]
    assert order["tax_included"] is (country != "US")
    stored = Order.objects.get(number=order["number"])
    assert (str(stored.total), str(stored.tax_total), str(stored.discount_total)) == (
        order["total"], order["tax"], order["discount"])
    assert sum(line.tax for line in stored.lines.all()) + stored.shipping_tax == d["tax"]
    mail.outbox.clear()
    deliver_outbox()
    text = mail.outbox[-1].body
    assert f"Total     {order['total']} EUR" in text
    assert f"Subtotal  {order['subtotal']} EUR" in text
    if d["discount"]:
        assert f"Discount  -{order['discount']} EUR (PROP)" in text
    assert f"{order['tax']} EUR" in text
