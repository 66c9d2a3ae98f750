"""Cart, checkout and order history run a fixed number of queries, whatever the number of
lines or orders (measured; the numbers are in the closing note of issue 4).

The API's bearer authentication costs one query (the user, with whether its sign-in is still
live), measured on GET /api/v1/me; the storefront's session is read from the database (one
query: the one copy every worker sees) and the user costs one more. What each of our
routes adds on top is fixed:
- GET /api/v1/cart, GET /cart/: the cart, its lines with variants and products, and, to price
  it (issue 14), its discount code, the delivery method, the saved address that names the
  destination and that destination's tax rate (6);
- POST /api/v1/checkout (issue 12, cut down in issue 16): 18 statements plus 6 savepoints
  (here, inside the test's transaction; in production they are BEGIN/COMMIT of the two
  transactions), the shipping method included: transaction 1 (lock the user and the cart,
  read the lines, take the stock: one conditional UPDATE per variant up to two, which locks
  and returns the price, else lock them in id order and one UPDATE (two statements from two
  variants on, whatever their number); read the cart's discount
  code and the destination's tax rate; insert the order, its lines, its "placed" event, the
  payment attempt and the key's claim; empty the cart); the test gateway's own record of the
  charge (what a real provider keeps on its side); transaction 2 (order paid, its "paid"
  event, the payment captured, the confirmation e-mail's outbox row). The answer is built
  from what was just written, not read back. A discount code used adds reading it, its
  conditional UPDATE, its use and taking it off the cart;
- GET /api/v1/orders: the orders, their lines, their timelines (3); GET /account/orders/: the
  orders (1).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import checkout_body, create_product

pytestmark = pytest.mark.django_db

API_AUTH = 1  # asserted below against GET /api/v1/me
WEB_AUTH = 2  # the session row and the user
CART = 6
CHECKOUT = 24  # everything after authentication, savepoints included (one variant)
CHECKOUT_MANY = CHECKOUT + 1  # two variants or more: the stock is taken in two statements
ORDER_HISTORY_API = 3
ORDER_HISTORY_PAGE = 2  # the page of orders, and the numbers of guest orders it may claim


def fill_cart(client, catalog, lines: int, prefix: str) -> None:
    for index in range(lines):
        product = create_product(f"{prefix} thing {index}", category=catalog.home,
                                 variants=[{"price": "3.00", "stock": 50}])
        response = client.post("/api/v1/cart/items",
                               {"sku": product.variants.get().sku, "quantity": 2},
                               content_type="application/json")
        assert response.status_code == 200


def queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        response = call()
    assert response.status_code in (200, 201), response.content
    return len(context.captured_queries)


def test_bearer_authentication_costs_one_query(alice_api):
    assert queries(lambda: alice_api.get("/api/v1/me")) == API_AUTH


@pytest.mark.parametrize("lines", [1, 12])
def test_cart_queries_do_not_grow_with_lines(catalog, alice_api, alice_web, lines,
                                             django_assert_num_queries):
    fill_cart(alice_api, catalog, lines, "cart")
    alice_web.get("/cart/")  # warm the session cache, as any browser's second page does
    with django_assert_num_queries(API_AUTH + CART):
        alice_api.get("/api/v1/cart")
    with django_assert_num_queries(WEB_AUTH + CART):
        alice_web.get("/cart/")


@pytest.mark.parametrize("lines", [1, 2, 12])
def test_checkout_queries_do_not_grow_with_lines(catalog, alice_api, lines,
                                                 django_assert_num_queries):
    fill_cart(alice_api, catalog, lines, "checkout")
    with django_assert_num_queries(API_AUTH + (CHECKOUT if lines == 1 else CHECKOUT_MANY)):
        response = alice_api.post("/api/v1/checkout", checkout_body(),
                                  content_type="application/json", HTTP_IDEMPOTENCY_KEY="q")
    assert response.status_code == 201
    assert len(response.json()["items"]) == lines


@pytest.mark.parametrize("orders", [1, 7])
def test_order_history_queries_do_not_grow_with_orders(catalog, alice_api, alice_web, orders,
                                                       django_assert_num_queries):
    for index in range(orders):
        fill_cart(alice_api, catalog, 3, f"history {index}")
        assert alice_api.post("/api/v1/checkout", checkout_body(),
                              content_type="application/json").status_code == 201
    alice_web.get("/account/orders/")
    with django_assert_num_queries(API_AUTH + ORDER_HISTORY_API):
        body = alice_api.get("/api/v1/orders").json()
    assert len(body["items"]) == orders
    assert all(len(o["items"]) == 3 for o in body["items"])
    with django_assert_num_queries(WEB_AUTH + ORDER_HISTORY_PAGE):
        page = alice_web.get("/account/orders/")
    assert page.content.count(b'href="/account/orders/BFM-') == orders
    assert WEB_AUTH + ORDER_HISTORY_PAGE <= 4
    assert API_AUTH + ORDER_HISTORY_API <= 4
