"""Dashboard pages cost the same number of queries whatever the number of orders, customers
and products on them (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop.demo.orders import demo_orders_seed
from tests.factories import place_order
from tests.support.api import web_client

PAGES = [
    "dashboard:index", "dashboard:order_list", "dashboard:customer_list",
    "dashboard:product_list", "dashboard:security", "dashboard:audit_log",
    "dashboard:security_events",
]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_the_data(shop, page):
    client = web_client(shop.admin)
    url = reverse(page)
    client.get(url)  # warm-up: session, permissions
    small = queries(client, url)
    demo_orders_seed(count=40, seed=3)
    for _ in range(5):
        place_order(shop.other)
    client.get(reverse("dashboard:order_list") + "?q=plain.shopper@example.com")  # audit rows
    assert queries(client, url) == small, page


def test_an_order_page_is_a_handful_of_queries(shop, django_assert_max_num_queries):
    client = web_client(shop.support)
    url = reverse("dashboard:order_detail", args=[shop.order.number])
    client.get(url)
    # session, user, permissions (2), role, order, lines, payments, the audit insert
    with django_assert_max_num_queries(11):
        client.get(url)
