"""Order history in the API (docs/contract.md §4), the housekeeping commands, and what happens when
the
payment gateway itself fails."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from shop.cart.models import Cart
from shop.catalog.models import Variant
from shop.orders.models import Order, Payment
from shop.orders.payments.test_gateway import TestGateway
from tests.factories import checkout_body

pytestmark = pytest.mark.django_db


def buy(client, sku, quantity=1, **headers):
    client.post("/api/v1/cart/items", {"sku": sku, "quantity": quantity},
                content_type="application/json")
    response = client.post("/api/v1/checkout", checkout_body(), content_type="application/json",
                           **headers)
    assert response.status_code == 201, response.content
    return response.json()["number"]


def mug(catalog) -> str:
    return catalog.mug.variants.get().sku


def test_history_is_newest_first_and_pages_by_cursor(catalog, alice_api, bob_api):
    numbers = [buy(alice_api, mug(catalog)) for _ in range(5)]
    buy(bob_api, mug(catalog))
    first = alice_api.get("/api/v1/orders?limit=2").json()
    assert [o["number"] for o in first["items"]] == numbers[::-1][:2]
    assert first["next_cursor"] == numbers[3]
    second = alice_api.get(f"/api/v1/orders?limit=2&cursor={first['next_cursor']}").json()
    third = alice_api.get(f"/api/v1/orders?limit=2&cursor={second['next_cursor']}").json()
    assert [o["number"] for o in second["items"] + third["items"]] == numbers[::-1][2:]
    assert third["next_cursor"] is None
    order = first["items"][0]
    assert set(order) == {"number", "status", "items", "subtotal", "shipping", "total",
                          "refunded", "currency", "shipping_address", "shipping_method",
                          "payment", "tracking", "events", "created_at", "paid_at",
                          "discount_code", "discount", "tax", "tax_included"}
    assert (order["refunded"], order["tracking"]) == ("0.00", None)
    assert [(e["kind"], e["status"]) for e in order["events"]] == [
        ("placed", "pending_payment"), ("paid", "paid")]


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "limit=x", "cursor=BFM-2222222222",
                                   "cursor=not-a-cursor"])
def test_bad_page_parameters_are_4xx(catalog, alice_api, bob_api, query):
    buy(bob_api, mug(catalog))
    response = alice_api.get(f"/api/v1/orders?{query}")
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error"}


def test_someone_elses_order_number_is_not_a_cursor(catalog, alice_api, bob_api):
    """A cursor is looked up among the viewer's own orders: Bob's number tells Alice nothing."""
    bobs = buy(bob_api, mug(catalog))
    assert alice_api.get(f"/api/v1/orders?cursor={bobs}").status_code == 400


def test_orders_still_waiting_for_payment_are_not_listed(catalog, alice_api):
    number = buy(alice_api, mug(catalog))
    Order.objects.filter(number=number).update(status="pending_payment")
    assert alice_api.get("/api/v1/orders").json()["items"] == []


def test_oversized_bodies_are_refused(catalog, alice_api):
    body = checkout_body()
    body["shipping_address"]["line2"] = "x" * 300_000
    response = alice_api.post("/api/v1/checkout", body, content_type="application/json")
    assert response.status_code in (400, 413)
    assert Order.objects.count() == 0


def test_a_failing_gateway_releases_everything(catalog, alice_api, monkeypatch):
    def broken(self, **kwargs):
        raise ConnectionError("gateway timeout")

    monkeypatch.setattr(TestGateway, "charge", broken)
    alice_api.post("/api/v1/cart/items", {"sku": mug(catalog), "quantity": 2},
                   content_type="application/json")
    response = alice_api.post("/api/v1/checkout", checkout_body(),
                              content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payment_unavailable"
    assert "gateway timeout" not in response.content.decode()
    assert Order.objects.count() == 0
    assert Payment.objects.count() == 0
    assert Variant.objects.get(sku=mug(catalog)).stock == 30
    assert alice_api.get("/api/v1/cart").json()["item_count"] == 2


def test_abandoned_pending_orders_give_their_stock_back(catalog, alice_api):
    number = buy(alice_api, mug(catalog), 3)
    Order.objects.filter(number=number).update(
        status="pending_payment", created_at=timezone.now() - dt.timedelta(hours=1)
    )
    fresh = buy(alice_api, mug(catalog), 1)
    Order.objects.filter(number=fresh).update(status="pending_payment")
    call_command("release_abandoned_orders", "--minutes", "30", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Order.objects.get(number=number).status == "cancelled"
    assert Order.objects.get(number=fresh).status == "pending_payment"  # too young
    assert Variant.objects.get(sku=mug(catalog)).stock == 30 - 1


def test_old_guest_carts_are_pruned_and_users_carts_kept(catalog, client, alice_api):
    client.post("/cart/add/", {"sku": mug(catalog), "quantity": 1})
    alice_api.post("/api/v1/cart/items", {"sku": mug(catalog), "quantity": 1},
                   content_type="application/json")
    Cart.objects.update(updated_at=timezone.now() - dt.timedelta(days=40))
    call_command("prune_guest_carts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(Cart.objects.values_list("user__email", flat=True)) == ["alice@example.com"]
