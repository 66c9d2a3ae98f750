"""What a shopper sees of their order after staff acted on it, in a real browser: the
timeline (placed, paid, shipped, refunded), the amount refunded to the card and the tracking
number. Screenshots go to the artifacts folder."""

import pytest

from shop.accounts.principal import Principal
from shop.orders import actions
from shop.staff.access import Actor
from tests.factories import checkout_body, staff_user
from tests.support.api import api_client

from .test_checkout_browser import seed, sign_in

pytestmark = pytest.mark.browser


def test_the_shopper_sees_shipping_tracking_and_a_partial_refund(page, page_watch, screenshot,
                                                                 roles):
    seed()
    from shop.accounts.models import User

    ada = User.objects.get(email="ada@example.com")
    shopper = api_client(ada)
    shopper.post("/api/v1/cart/items", {"sku": "MUG-1", "quantity": 2},
                 content_type="application/json")
    number = shopper.post("/api/v1/checkout", checkout_body(),
                          content_type="application/json").json()["number"]
    manager = staff_user("max.manager@example.com", "manager")
    actor = Actor(principal=Principal(user=manager, via="session"), role="manager",
                  ip="127.0.0.1", request_id="e2e", via="dashboard")
    actions.order_fulfil(actor=actor, number=number, carrier="DHL",
                         tracking_number="JD0146000033")
    actions.order_refund(actor=actor, number=number, amount="5.00", reason="a chipped handle")

    page.goto("/account/sign-in/")
    sign_in(page, "ada@example.com")
    page.goto(f"/account/orders/{number}/")
    page.get_by_role("heading", name=f"Order {number}").wait_for()
    timeline = page.locator(".co-timeline").inner_text()
    for step in ("Order placed", "Payment received", "Shipped", "Refunded €5.00"):
        assert step in timeline, timeline
    assert "JD0146000033" in page.locator(".co-order-side").inner_text()
    assert "DHL" in page.locator(".co-order-side").inner_text()
    assert "\u2212€5.00" in page.locator(".co-refunded").inner_text()
    assert page.locator(".co-status").inner_text() == "Shipped"
    screenshot("order-detail-timeline")
    page_watch.assert_clean()
