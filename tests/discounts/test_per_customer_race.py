"""A code limited to one use per customer holds when the same customer checks out twice at
the same moment (two tabs, two devices, a double click that reached two workers).

discount_check counts the customer's earlier uses before the order exists; the count is only
true if nobody else of that customer is counting at the same time. Here two checkouts of one
guest (one e-mail address, written two ways) are held at the worst moment: both have priced
their order with the code (each counted no earlier use) and neither has counted its use yet.
Then both go on. Exactly one may keep the code; the other answers 422 `discount_invalid`
("already used") and leaves nothing behind: no order, no payment, no charge at the gateway,
no stock taken.

The pause is a barrier in front of the real discount_redeem (nothing of the database is
replaced). PostgreSQL only: on SQLite the IMMEDIATE transactions run one checkout after the
other, so there is no race to show (the barrier would only time out).
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from shop.accounts.tokens import access_token_issue
from shop.catalog.models import Variant
from shop.discounts import services as discount_services
from shop.discounts.models import DiscountCode, DiscountRedemption
from shop.orders import order_money
from shop.orders.models import Order, Payment, TestGatewayCharge
from tests.factories import GOOD_CARD, checkout_body, create_category, create_product, create_user

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the race runs on PostgreSQL (CI pass 2)")

ADDRESS = {"name": "Gwen Guest", "line1": "221B Baker Street", "line2": "",
           "city": "London", "postal_code": "NW1 6XE", "country": "GB"}
# one guest, her address typed two ways: the limit counts the normalised address
EMAILS = ["gwen.guest@example.com", "  Gwen.GUEST@Example.com "]


def once_per_customer() -> DiscountCode:
    return DiscountCode.objects.create(code="ONEEACH", kind="percent", value="10",
                                       max_uses_per_customer=1)


def two_products() -> list[Variant]:
    category = create_category("Race")
    return [create_product(f"Race Item {n}", category=category, variants=[
        {"price": "20.00", "stock": 5, "sku": f"RACE-{n}"}]).variants.get() for n in (1, 2)]


def held_at_redeem(monkeypatch, parties: int) -> threading.Barrier:
    """Every checkout waits here, inside its order's transaction, after pricing the order
    (its check of the code passed) and before counting its use."""
    barrier = threading.Barrier(parties)
    real = discount_services.discount_redeem

    def paused(**kwargs):
        # (a broken barrier: the other one is not racing, the database serialized them)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)
        return real(**kwargs)

    monkeypatch.setattr(order_money, "discount_redeem", paused)
    return barrier


def in_threads(calls) -> list[tuple[int, dict]]:
    def run(call):
        try:
            response = call()
            return response.status_code, response.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_guest_checking_out_twice_at_once_uses_a_once_per_customer_code_once(
        monkeypatch, shipping_methods):
    code = once_per_customer()
    variants = two_products()
    held_at_redeem(monkeypatch, 2)

    def checkout(email: str, variant: Variant):
        body = {**checkout_body(ADDRESS, card=GOOD_CARD), "email": email,
                "items": [{"sku": variant.sku, "quantity": 1}], "discount_code": "oneeach"}
        return lambda: Client().post("/api/v1/guest/checkout", body,
                                     content_type="application/json")

    results = in_threads([checkout(email, variant)
                          for email, variant in zip(EMAILS, variants, strict=True)])

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 422: 1}, results
    lost = next(body for status, body in results if status == 422)
    assert lost["error"]["code"] == "discount_invalid"
    assert "already used" in lost["error"]["message"]
    # nothing of the losing checkout was written or charged
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1
    assert DiscountRedemption.objects.filter(code=code).count() == 1
    code.refresh_from_db()
    assert code.used_count == 1
    stock = sorted(Variant.objects.filter(pk__in=[v.pk for v in variants])
                   .values_list("stock", flat=True))
    assert stock == [4, 5]
    # and the guest may still buy, without the code
    again = Client().post("/api/v1/guest/checkout", {
        **checkout_body(ADDRESS), "email": EMAILS[1],
        "items": [{"sku": variants[0].sku, "quantity": 1}]}, content_type="application/json")
    assert again.status_code == 201, again.content


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_account_checking_out_in_two_tabs_uses_a_once_per_customer_code_once(
        monkeypatch, shipping_methods):
    code = once_per_customer()
    variants = two_products()
    user = create_user("tabs@example.com", name="Two Tabs")
    token = access_token_issue(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for variant in variants:
        assert api.post("/api/v1/cart/items", {"sku": variant.sku, "quantity": 1},
                        content_type="application/json").status_code == 200
    assert api.post("/api/v1/cart/discount", {"code": "ONEEACH"},
                    content_type="application/json").status_code == 200
    held_at_redeem(monkeypatch, 2)

    def checkout():
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            "/api/v1/checkout", checkout_body(ADDRESS), content_type="application/json")

    results = in_threads([checkout, checkout])

    statuses = sorted(status for status, _ in results)
    assert statuses[0] == 201, results
    assert 400 <= statuses[1] < 500, results  # an empty cart (409) or the code (422)
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1
    assert DiscountRedemption.objects.filter(code=code).count() == 1
    code.refresh_from_db()
    assert code.used_count == 1
