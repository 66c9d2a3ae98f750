"""Cart API (docs/contract.md §4): /api/v1/cart, /api/v1/cart/items, /api/v1/cart/items/{sku}."""

import pytest
from django.test import Client

from shop.cart.models import CartLine
from tests.support.api import api_call, api_client

pytestmark = pytest.mark.django_db


def skus(product) -> list[str]:
    return list(product.variants.order_by("position", "pk").values_list("sku", flat=True))


def post(client, path, body, method="post"):
    return api_call(client, method, path, body)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "request_id"}
    if code:
        assert body["error"]["code"] == code, body
    assert response["Cache-Control"] == "private, no-store"
    return body["error"]


def test_add_change_remove(catalog, alice_api):
    tee_s, _, tee_l = skus(catalog.tee)
    response = post(alice_api, "/api/v1/cart/items", {"sku": tee_l, "quantity": 2})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "items": [{"sku": tee_l, "name": "Organic Cotton Tee", "variant": "L / Navy",
                   "quantity": 2, "unit_price": "26.00", "line_total": "52.00"}],
        "subtotal": "52.00", "currency": "EUR", "item_count": 2, "notices": [],
        # issue 14: no code, standard delivery, German VAT (the home country) in the price
        "discount_code": None, "discount": "0.00", "shipping": "4.95", "tax": "9.09",
        "tax_included": True, "tax_country": "DE", "total": "56.95",
    }
    post(alice_api, "/api/v1/cart/items", {"sku": skus(catalog.mug)[0]})  # quantity 1 default
    body = post(alice_api, f"/api/v1/cart/items/{tee_l}", {"quantity": 1}, "patch").json()
    assert [(i["sku"], i["quantity"]) for i in body["items"]] == [
        (tee_l, 1), (skus(catalog.mug)[0], 1)
    ]
    assert body["subtotal"] == "40.50"
    body = alice_api.delete(f"/api/v1/cart/items/{tee_l}").json()
    assert [i["sku"] for i in body["items"]] == [skus(catalog.mug)[0]]
    assert_error(alice_api.delete(f"/api/v1/cart/items/{tee_s}"), 404, "not_found")
    assert_error(post(alice_api, f"/api/v1/cart/items/{tee_s}", {"quantity": 1}, "patch"), 404)


def test_quantity_above_stock_is_capped_with_a_notice(catalog, alice_api):
    hoodie = skus(catalog.hoodie)[0]  # 2 in stock
    body = post(alice_api, "/api/v1/cart/items", {"sku": hoodie, "quantity": 5}).json()
    assert body["items"][0]["quantity"] == 2
    assert body["notices"] == [
        "Only 2 of Heavyweight Hoodie (M) can be bought now: your cart has 2."
    ]
    assert_error(post(alice_api, "/api/v1/cart/items", {"sku": hoodie}), 409, "out_of_stock")
    assert_error(post(alice_api, "/api/v1/cart/items", {"sku": skus(catalog.lamp)[0]}), 409,
                 "out_of_stock")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"sku": "NO-SUCH-SKU", "quantity": 1}, 400),
        ({"sku": "", "quantity": 1}, 422),
        ({"sku": "x" * 65, "quantity": 1}, 422),
        ({"quantity": 1}, 422),
        ({"sku": "@MUG", "quantity": 0}, 422),
        ({"sku": "@MUG", "quantity": -3}, 422),
        ({"sku": "@MUG", "quantity": 100}, 422),
        ({"sku": "@MUG", "quantity": 10**30}, 422),
        ({"sku": "@MUG", "quantity": 1.5}, 422),
        ({"sku": "@MUG", "quantity": "2"}, 422),
        ({"sku": "@MUG", "quantity": True}, 422),
        ({"sku": "@MUG", "quantity": None}, 422),
        ({"sku": ["@MUG"], "quantity": 1}, 422),
        ([], 422),
        ("not json", 400),
    ],
)
def test_bad_input_is_a_4xx_in_the_error_shape_and_writes_nothing(catalog, alice_api, body,
                                                                  status):
    mug = skus(catalog.mug)[0]
    if isinstance(body, dict):
        body = {k: (mug if v == "@MUG" else v) for k, v in body.items()}
    if body == "not json":
        response = alice_api.post("/api/v1/cart/items", "{sku: mug,",
                                  content_type="application/json")
    else:
        response = post(alice_api, "/api/v1/cart/items", body)
    assert_error(response, status)
    assert CartLine.objects.count() == 0


def test_patch_bad_quantities(catalog, alice_api):
    mug = skus(catalog.mug)[0]
    post(alice_api, "/api/v1/cart/items", {"sku": mug, "quantity": 3})
    for quantity in (-1, 100, "x", None):
        assert_error(post(alice_api, f"/api/v1/cart/items/{mug}", {"quantity": quantity},
                          "patch"), 422)
    assert CartLine.objects.get().quantity == 3
    body = post(alice_api, f"/api/v1/cart/items/{mug}", {"quantity": 0}, "patch").json()
    assert body["items"] == []


def test_price_in_the_body_is_ignored(catalog, alice_api):
    mug = skus(catalog.mug)[0]
    body = post(alice_api, "/api/v1/cart/items",
                {"sku": mug, "quantity": 2, "unit_price": "0.01", "subtotal": "0.01"}).json()
    assert body["items"][0]["unit_price"] == "14.50"
    assert body["subtotal"] == "29.00"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/cart"),
        ("post", "/api/v1/cart/items"),
        ("patch", "/api/v1/cart/items/SKU-1"),
        ("delete", "/api/v1/cart/items/SKU-1"),
    ],
)
def test_the_cart_api_needs_a_bearer_token(catalog, alice_web, method, path):
    """Anonymous, and a signed-in browser session too: the API's only credential is a token."""
    for client in (Client(), alice_web, Client(HTTP_AUTHORIZATION="Bearer nonsense")):
        response = getattr(client, method)(path, {"sku": "x", "quantity": 1},
                                           content_type="application/json")
        assert_error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_each_user_sees_only_their_own_cart(catalog, alice_api, bob_api):
    post(alice_api, "/api/v1/cart/items", {"sku": skus(catalog.hoodie)[0], "quantity": 1})
    assert bob_api.get("/api/v1/cart").json()["items"] == []
    # Bob cannot change or delete Alice's line by its SKU: it is not in *his* cart
    assert_error(post(bob_api, f"/api/v1/cart/items/{skus(catalog.hoodie)[0]}", {"quantity": 2},
                      "patch"), 404)
    assert_error(bob_api.delete(f"/api/v1/cart/items/{skus(catalog.hoodie)[0]}"), 404)
    assert alice_api.get("/api/v1/cart").json()["items"][0]["quantity"] == 1


def test_a_fresh_token_for_the_same_user_sees_the_same_cart(catalog, alice, alice_api):
    post(alice_api, "/api/v1/cart/items", {"sku": skus(catalog.mug)[0], "quantity": 1})
    assert api_client(alice).get("/api/v1/cart").json()["item_count"] == 1
