"""A guest deletes their details in a real browser: the order page (number and token typed
in), "Delete my details", the question, "Yes, delete my details", the result; afterwards the
number and token find nothing."""

import pytest
from django.test import Client

from tests.factories import staff_user
from tests.orders.test_guest_checkout_api import body, place
from tests.support.api import api_client

pytestmark = pytest.mark.browser


def test_a_guest_deletes_their_details_from_the_order_page(
    page, page_watch, screenshot, roles, catalog, shipping_methods
):
    placed = place(Client(), body(catalog)).json()
    number, token = placed["number"], placed["order_token"]
    manager = api_client(staff_user("max.manager@example.com", "manager"))
    assert manager.post(f"/api/v1/admin/orders/{number}/fulfil", {"carrier": "DHL"},
                        content_type="application/json").status_code == 200
    page.goto("/order/")
    page.get_by_label("Order number").fill(number)
    page.get_by_label("Order token").fill(token)
    page.get_by_role("button", name="Show my order").click()
    page.get_by_role("heading", name=number).wait_for()
    screenshot("guest-erase-01-order-page")
    page.get_by_role("button", name="Delete my details").click()
    page.get_by_role("heading", name=f"Delete my details from order {number}?").wait_for()
    screenshot("guest-erase-02-confirm")
    page.get_by_role("button", name="Yes, delete my details").click()
    page.get_by_role("heading", name="Your details have been deleted").wait_for()
    screenshot("guest-erase-03-done")
    assert placed["email"] not in page.content()
    page_watch.assert_clean()
    page.goto("/order/")  # the token is dead: the one "not found" (a 404)
    page.get_by_label("Order number").fill(number)
    page.get_by_label("Order token").fill(token)
    page.get_by_role("button", name="Show my order").click()
    page.get_by_text("We could not find this order.").wait_for()
