"""The staff API's answers (docs/contract.md §4): shapes, search, paging, and what never leaves."""

from shop.monitoring.models import SecurityEvent
from tests.factories import place_order
from tests.support.api import api_headers


def test_order_list_is_every_order_newest_first_with_paging(shop, client):
    for _ in range(3):
        place_order(shop.other)
    headers = api_headers(shop.support)
    first = client.get("/api/v1/admin/orders?limit=3", **headers).json()
    assert len(first["items"]) == 3
    assert first["next_cursor"]
    second = client.get(f"/api/v1/admin/orders?limit=3&cursor={first['next_cursor']}",
                        **headers).json()
    numbers = [o["number"] for o in first["items"] + second["items"]]
    assert len(numbers) == len(set(numbers)) == 5
    assert shop.order.number in numbers
    assert shop.other_order.number in numbers
    item = first["items"][0]
    assert set(item) == {"number", "status", "customer", "item_count", "total", "currency",
                         "created_at", "paid_at"}


def test_order_search_by_email_and_number(shop, client):
    headers = api_headers(shop.support)
    found = client.get("/api/v1/admin/orders?q=WILHELMINA.Z@example.com", **headers).json()
    assert [o["number"] for o in found["items"]] == [shop.order.number]
    prefix = shop.order.number[4:9].lower()
    found = client.get(f"/api/v1/admin/orders?q={prefix}", **headers).json()
    assert shop.order.number in [o["number"] for o in found["items"]]
    found = client.get("/api/v1/admin/orders?status=refunded", **headers).json()
    assert found["items"] == []


def test_order_detail_shows_the_card_masked_only(shop, client):
    body = client.get(f"/api/v1/admin/orders/{shop.order.number}",
                      **api_headers(shop.support)).json()
    assert body["customer"] == {"id": shop.customer.pk, "email": shop.customer.email}
    assert body["payment"] == {"brand": "visa", "last4": "4242"}
    assert body["shipping_address"]["city"] == "Quillfeather"
    assert "4242424242424242" not in str(body)


def test_unknown_and_malformed_numbers_are_404(shop, client):
    headers = api_headers(shop.support)
    for number in ("BFM-ZZZZZZZZZZ", "nope", "BFM-0000000000"):
        response = client.get(f"/api/v1/admin/orders/{number}", **headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_security_events_for_admins(shop, client):
    SecurityEvent.objects.create(kind="token_invalid", ip="198.51.100.4",
                                 details={"reason": "signature"})
    SecurityEvent.objects.create(kind="signin_failed", user_id=shop.customer.pk)
    body = client.get("/api/v1/admin/security-events?kind=token_invalid",
                      **api_headers(shop.admin)).json()
    assert [(e["kind"], e["ip"]) for e in body["items"]] == [("token_invalid", "198.51.100.4")]
    assert set(body["items"][0]) == {"id", "created_at", "kind", "user_id", "ip", "path",
                                     "request_id", "details"}


def test_audit_events_for_admins_filter_by_customer(shop, client):
    client.get(f"/api/v1/admin/orders/{shop.order.number}", **api_headers(shop.support))
    client.get(f"/api/v1/admin/orders/{shop.other_order.number}", **api_headers(shop.support))
    body = client.get(f"/api/v1/admin/audit-events?customer_id={shop.customer.pk}",
                      **api_headers(shop.admin)).json()
    assert [(e["action"], e["object_id"], e["actor_email"]) for e in body["items"]] == [
        ("order.read", shop.order.number, shop.support.email)
    ]
    assert body["next_cursor"] is None
