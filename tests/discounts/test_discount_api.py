"""Discount codes and tax through the API (SPEC §4.1, issue 14): POST/DELETE
/api/v1/cart/discount, 422 `discount_invalid`, the new fields of cart, checkout and order, the
code checked again at checkout, a use given back when the payment fails, and the same amounts
in the cart, the order and its e-mail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from shop.catalog.models import Variant
from shop.discounts.demo import demo_codes_seed
from shop.discounts.models import DiscountCode, DiscountRedemption
from shop.orders.models import Order
from tests.factories import ALICE_ADDRESS, DECLINED_CARD, checkout_body
from tests.support.api import api_call
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db

US_ADDRESS = {"name": "Alice Liddell", "line1": "1 Main Street", "line2": "", "city": "Austin",
              "postal_code": "73301", "country": "US", "state": "TX"}
MONEY_FIELDS = {"discount_code", "discount", "tax", "tax_included", "total"}


@pytest.fixture(autouse=True)
def codes(db):
    demo_codes_seed()
    return {code.code: code for code in DiscountCode.objects.all()}


def fill(client, catalog, sku_of=("tee",), quantity=2):
    for name in sku_of:
        sku = getattr(catalog, name).variants.filter(stock__gt=0).order_by("pk").last().sku
        assert api_call(client, "post", "/api/v1/cart/items",
                        {"sku": sku, "quantity": quantity}).status_code == 200


def apply(client, code):
    return api_call(client, "post", "/api/v1/cart/discount", {"code": code})


def assert_invalid(response):
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "discount_invalid"
    assert response["Cache-Control"] == "private, no-store"
    return response.json()["error"]["message"]


def test_apply_and_remove_a_percentage_code(catalog, alice_api):
    fill(alice_api, catalog)  # 2 x 26.00
    response = apply(alice_api, "  welcome10 ")
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    cart = response.json()
    assert set(cart) >= MONEY_FIELDS
    assert (cart["subtotal"], cart["discount_code"], cart["discount"]) == (
        "52.00", "WELCOME10", "5.20")
    # 46.80 after the discount: standard delivery 4.95; German VAT (home) included
    assert (cart["shipping"], cart["tax_included"], cart["total"]) == ("4.95", True, "51.75")
    assert Decimal(cart["total"]) == Decimal("52.00") - Decimal("5.20") + Decimal("4.95")
    assert alice_api.get("/api/v1/cart").json()["discount_code"] == "WELCOME10"
    cart = alice_api.delete("/api/v1/cart/discount").json()
    assert (cart["discount_code"], cart["discount"], cart["total"]) == (None, "0.00", "56.95")


@pytest.mark.parametrize("change", [
    {"is_active": False}, {"ends_at": "past"}, {"starts_at": "future"},
    {"max_uses": 1, "used_count": 1}, {"minimum_subtotal": Decimal("100.00")},
])
def test_a_code_that_does_not_apply_is_422_and_leaves_the_cart_alone(catalog, alice_api,
                                                                      codes, change):
    fill(alice_api, catalog)
    when = {"past": timezone.now() - timedelta(days=1),
            "future": timezone.now() + timedelta(days=1)}
    DiscountCode.objects.filter(code="WELCOME10").update(
        **{k: when.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    before = alice_api.get("/api/v1/cart").json()
    assert_invalid(apply(alice_api, "WELCOME10"))
    assert alice_api.get("/api/v1/cart").json() == before


@pytest.mark.parametrize("code", ["NOPE", "", "x" * 33, "WELCOME10; DROP TABLE", "ÜBER"])
def test_unknown_or_malformed_codes(catalog, alice_api, code):
    fill(alice_api, catalog)
    response = apply(alice_api, code)
    assert response.status_code in (400, 422)
    assert b"Traceback" not in response.content
    assert b"discounts_" not in response.content
    if code == "NOPE":
        assert assert_invalid(response) == "This discount code is not valid."


def test_checkout_carries_the_code_and_counts_its_one_use(catalog, alice_api, bob_api, codes):
    fill(alice_api, catalog)
    assert apply(alice_api, "ONCE5").json()["discount"] == "5.00"
    response = alice_api.post("/api/v1/checkout", checkout_body(ALICE_ADDRESS),
                              content_type="application/json")
    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["discount_code"], order["discount"], order["subtotal"]) == (
        "ONCE5", "5.00", "52.00")
    # GB: 20 % VAT included, rounded per line (47.00 -> 7.83) and on delivery (4.95 -> 0.83)
    assert (order["tax"], order["tax_included"], order["total"]) == ("8.66", True, "51.95")
    assert sum(Decimal(i["discount"]) for i in order["items"]) == Decimal("5.00")
    codes["ONCE5"].refresh_from_db()
    assert codes["ONCE5"].used_count == 1
    assert alice_api.get("/api/v1/cart").json()["discount_code"] is None  # the cart is empty
    fill(bob_api, catalog, ("mug",))
    assert "used up" in assert_invalid(apply(bob_api, "ONCE5"))
    detail = alice_api.get(f"/api/v1/orders/{order['number']}").json()
    assert {k: detail[k] for k in MONEY_FIELDS} == {k: order[k] for k in MONEY_FIELDS}


def test_checkout_checks_the_code_again_and_writes_nothing_when_it_fails(catalog, alice_api):
    fill(alice_api, catalog)
    apply(alice_api, "WELCOME10")
    stock = dict(Variant.objects.values_list("sku", "stock"))
    DiscountCode.objects.filter(code="WELCOME10").update(is_active=False)
    assert_invalid(alice_api.post("/api/v1/checkout", checkout_body(),
                                  content_type="application/json"))
    assert Order.objects.count() == 0
    assert dict(Variant.objects.values_list("sku", "stock")) == stock
    assert len(alice_api.get("/api/v1/cart").json()["items"]) == 1


def test_a_declined_payment_gives_the_use_back_and_the_code_back_to_the_cart(
        catalog, alice_api, codes):
    fill(alice_api, catalog)
    apply(alice_api, "ONCE5")
    response = alice_api.post("/api/v1/checkout", checkout_body(card=DECLINED_CARD),
                              content_type="application/json")
    assert response.status_code == 402
    codes["ONCE5"].refresh_from_db()
    assert codes["ONCE5"].used_count == 0
    assert not DiscountRedemption.objects.exists()
    assert alice_api.get("/api/v1/cart").json()["discount_code"] == "ONCE5"


def test_per_customer_limit(catalog, alice_api, codes):
    DiscountCode.objects.filter(code="WELCOME10").update(max_uses_per_customer=1)
    fill(alice_api, catalog)
    apply(alice_api, "WELCOME10")
    assert alice_api.post("/api/v1/checkout", checkout_body(),
                          content_type="application/json").status_code == 201
    fill(alice_api, catalog, ("mug",), 1)
    assert "already used" in assert_invalid(apply(alice_api, "WELCOME10"))


def test_us_sales_tax_is_added_and_cart_order_and_email_agree(catalog, alice_api, alice):
    from shop.accounts.models import Address

    Address.objects.create(user=alice, name="Alice", line1="1 Main Street", city="Austin",
                           postal_code="73301", country="US", state="TX", is_default=True)
    fill(alice_api, catalog, ("tee", "mug"), 3)  # 3 x 26.00 + 3 x 14.50 = 121.50
    apply(alice_api, "WELCOME10")
    cart = alice_api.get("/api/v1/cart").json()
    assert (cart["tax_country"], cart["tax_included"]) == ("US", False)
    assert cart["shipping"] == "0.00"  # 109.35 after the discount: free standard delivery
    # Texas, 6.25 % added, per line: 70.20 -> 4.39, 39.15 -> 2.45 (the discount spread 7.80
    # and 4.35); delivery is free
    assert (cart["tax"], cart["total"]) == ("6.84", "116.19")
    order = alice_api.post("/api/v1/checkout", checkout_body(US_ADDRESS),
                           content_type="application/json").json()
    assert {k: order[k] for k in MONEY_FIELDS} == {k: cart[k] for k in MONEY_FIELDS}
    deliver_outbox()
    text = mail.outbox[-1].body
    assert f"Total     {order['total']} EUR" in text
    assert f"Discount  -{order['discount']} EUR (WELCOME10)" in text


def test_a_region_rate_is_added_on_top(catalog, alice_api):
    from shop.core.money import price_basket
    from shop.orders.pricing import Destination, quote
    from shop.taxes.selectors import tax_rule_for

    rule = tax_rule_for(country="ca", region="on")
    assert (rule.rate, rule.included) == (Decimal("0.13000"), False)
    assert tax_rule_for(country="CA", region="XX").rate == Decimal("0.05000")  # GST
    assert tax_rule_for(country="GB").included is True
    priced = quote(line_totals=[Decimal("100.00")], method=None,
                   destination=Destination("CA", "ON"))
    assert (priced.tax, priced.total) == (Decimal("13.00"), Decimal("113.00"))
    assert priced.priced == price_basket([Decimal("100.00")], tax=rule)


def test_erasing_the_account_keeps_the_use_counted_but_nobodys(catalog, alice_api, codes):
    from tests.factories import PASSWORD

    fill(alice_api, catalog)
    apply(alice_api, "ONCE5")
    assert alice_api.post("/api/v1/checkout", checkout_body(),
                          content_type="application/json").status_code == 201
    Order.objects.update(status="fulfilled")  # the goods have left: the account may go
    response = api_call(alice_api, "delete", "/api/v1/me", {"password": PASSWORD})
    assert response.status_code == 204, response.content
    use = DiscountRedemption.objects.get()
    assert (use.user_id, use.email) == (None, "")
    codes["ONCE5"].refresh_from_db()
    assert codes["ONCE5"].used_count == 1
