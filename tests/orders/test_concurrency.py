"""Never oversell, even when everybody clicks at once (docs/threats.md case 23; Vendure 3508,
Oscar 4524).

- PostgreSQL (skipped on SQLite): 50 shoppers race for the last 5 units -> exactly 5 orders,
  stock 0, the 45 others get 409; 50 retries of one checkout with one Idempotency-Key -> one
  order, and every retry answers that same order.
- Any database, through the live server (several threads, several connections): a burst of
  checkouts for the last units; on SQLite this shows that IMMEDIATE transactions and the busy
  timeout queue the writers instead of answering "database is locked".
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection, connections
from django.test import Client

from shop.accounts.tokens import access_token_issue
from shop.catalog.models import Variant
from shop.orders.models import Order, Payment
from tests.factories import checkout_body, create_category, create_product, create_user

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the 50-thread race runs on PostgreSQL (CI pass 2)"
)

THREADS = 50
UNITS = 5


def last_units(units: int = UNITS) -> Variant:
    category = create_category("Limited")
    product = create_product("Limited Edition Print", category=category,
                             variants=[{"price": "40.00", "stock": units, "sku": "PRINT-LTD"}])
    return product.variants.get()


def shoppers(count: int) -> list[str]:
    """`count` users, each with one unit of PRINT-LTD in their cart; their access tokens."""
    tokens = []
    for index in range(count):
        user = create_user(f"racer{index}@example.com", name=f"Racer {index}")
        token = access_token_issue(user=user)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.post("/api/v1/cart/items", {"sku": "PRINT-LTD", "quantity": 1},
                               content_type="application/json")
        assert response.status_code == 200
        tokens.append(token)
    return tokens


def race(tokens: list[str], *, key: str | None = None) -> list[tuple[int, dict]]:
    """Every token checks out at the same moment, each in its own thread and connection."""
    start = threading.Barrier(len(tokens))

    def one(token: str) -> tuple[int, dict]:
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            start.wait(timeout=30)
            response = client.post("/api/v1/checkout", checkout_body(),
                                   content_type="application/json", **headers)
            return response.status_code, response.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(one, tokens))


def live_burst(live_server, tokens: list[str], *, key: str | None = None
               ) -> list[tuple[int, httpx.Response]]:
    """Every token POSTs /api/v1/checkout to the live server at once, each on its own
    connection (and server thread)."""
    start = threading.Barrier(len(tokens))

    def one(token: str) -> tuple[int, httpx.Response]:
        headers = {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        with httpx.Client(base_url=live_server.url, timeout=60) as client:
            start.wait(timeout=30)
            response = client.post("/api/v1/checkout", json=checkout_body(), headers=headers)
            response.read()
            return response.status_code, response

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(one, tokens))


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_shoppers_race_for_the_last_five_units():
    variant = last_units()
    results = race(shoppers(THREADS))
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: UNITS, 409: THREADS - UNITS}, statuses
    assert all(body["error"]["code"] == "out_of_stock" for status, body in results
               if status == 409)
    variant.refresh_from_db()
    assert variant.stock == 0
    assert Order.objects.filter(status="paid").count() == UNITS
    assert Order.objects.count() == UNITS
    assert Payment.objects.count() == UNITS
    numbers = {body["number"] for status, body in results if status == 201}
    assert len(numbers) == UNITS


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_retries_with_one_idempotency_key_place_one_order():
    variant = last_units()
    token = shoppers(1)[0]
    results = race([token] * THREADS, key="pay-once-7f3a")
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: THREADS}, results[:2]
    assert len({body["number"] for _, body in results}) == 1
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    variant.refresh_from_db()
    assert variant.stock == UNITS - 1


@pytest.mark.django_db(transaction=True)
def test_a_burst_through_the_live_server_never_oversells_nor_locks(live_server):
    """Several server threads, each with its own database connection (on SQLite: several
    writers on one file)."""
    threads, units = 12, 3
    variant = last_units(units)
    tokens = shoppers(threads)
    results = [(status, response.text)
               for status, response in live_burst(live_server, tokens)]
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: units, 409: threads - units}, results
    assert not [text for _, text in results if "locked" in text.lower()]
    variant.refresh_from_db()
    assert variant.stock == 0
    assert Order.objects.count() == units


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_retries_with_one_key_through_the_live_server_places_one_order(live_server):
    """The key is claimed by the order's transaction (issue 16): on SQLite the retries queue
    on the IMMEDIATE lock, on PostgreSQL on the user's row and the key's unique index; either
    way one order, and every retry answers it."""
    threads = 8
    variant = last_units()
    token = shoppers(1)[0]
    results = [(status, response.json().get("number", response.text))
               for status, response in live_burst(live_server, [token] * threads,
                                                  key="burst-1")]
    assert Counter(status for status, _ in results) == {201: threads}, results
    assert len({number for _, number in results}) == 1
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    variant.refresh_from_db()
    assert variant.stock == UNITS - 1
