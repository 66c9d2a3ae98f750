"""50 shoppers check out at the same moment with the one-use code ONCE5 in their carts,
through the real app server (granian, two worker processes, each with its own database
connections): exactly one order uses the code; the 49 others are refused with 422
`discount_invalid` and leave nothing behind (no order, no stock taken, their carts as they
were). Runs on SQLite by default and on PostgreSQL when DATABASE_URL is set (CI pass 2):
the guarantee is the conditional UPDATE of shop/discounts/services.discount_redeem."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from shop.accounts.tokens import access_token_issue
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Variant
from shop.discounts.demo import demo_codes_seed
from shop.discounts.models import CartDiscount, DiscountCode, DiscountRedemption
from shop.orders.models import Order
from tests.conftest import require
from tests.factories import checkout_body, create_category, create_product, create_user
from tests.support.appserver import AppServer, granian_binary

SHOPPERS = 50
STOCK = 200


@pytest.mark.django_db(transaction=True)
def test_fifty_checkouts_with_a_one_use_code_place_exactly_one_order_with_it(
        tmp_path, shipping_methods):
    require(granian_binary() is not None, "granian")
    demo_codes_seed()
    once = DiscountCode.objects.get(code="ONCE5")
    product = create_product("Race Mug", category=create_category("Race"),
                             variants=[{"price": "20.00", "stock": STOCK, "sku": "RACE-MUG"}])
    variant = product.variants.get()
    tokens = []
    for index in range(SHOPPERS):
        user = create_user(f"once{index}@example.com", name=f"Once {index}")
        cart = Cart.objects.create(user=user)
        CartLine.objects.create(cart=cart, variant=variant, sku=variant.sku, name=product.name,
                                quantity=1)
        CartDiscount.objects.create(cart=cart, code=once)
        tokens.append(access_token_issue(user=user))

    start = threading.Barrier(SHOPPERS)

    def one(token: str) -> tuple[int, dict]:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            start.wait(timeout=60)
            response = client.post("/api/v1/checkout", json=checkout_body(),
                                   headers={"Authorization": f"Bearer {token}"})
            return response.status_code, response.json()

    with (AppServer(tmp_path / "app", workers=2, threads=4) as server,
          ThreadPoolExecutor(max_workers=SHOPPERS) as pool):
        results = list(pool.map(one, tokens))

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 422: SHOPPERS - 1}, (statuses, results[:3])
    assert {body["error"]["code"] for status, body in results if status == 422} == {
        "discount_invalid"}
    placed = [body for status, body in results if status == 201]
    assert (placed[0]["discount_code"], placed[0]["discount"]) == ("ONCE5", "5.00")
    once.refresh_from_db()
    assert once.used_count == 1
    assert Order.objects.count() == 1
    assert Order.objects.get().discount_code == "ONCE5"
    assert DiscountRedemption.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).stock == STOCK - 1  # the 49 took nothing
    assert CartLine.objects.count() == SHOPPERS - 1  # their carts as they were
    assert CartDiscount.objects.count() == SHOPPERS - 1
