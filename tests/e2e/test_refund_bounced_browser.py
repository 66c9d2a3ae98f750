"""A refund that bounces after the payment provider accepted it (Stripe: `pending`, then
`failed` for a closed card; the webhook side is tests/orders/test_stripe.py): a manager sees it
on the overview under "Refunds to redo", opens the order, refunds it again, and the tile is
gone. Screenshots at both widths go to the artifacts folder."""

import pytest

from shop.orders.models import Order, Refund, TestGatewayRefund
from shop.orders.settlement import refund_bounced
from tests.e2e.test_dashboard_browser import check, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _clean(empty_cache):
    return empty_cache


def test_a_manager_redoes_a_refund_that_bounced(page, page_watch, screenshot, shop):
    number = shop.order.number
    sign_in(page, shop.manager.email, next_path=f"/dashboard/orders/{number}/")
    page.get_by_text("Cancel this order").click()
    page.get_by_label(f"Yes, cancel {number}").check()
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_text("Refunded", exact=False).first.wait_for()
    refund = Refund.objects.get(order__number=number)
    # days later the provider says the refund failed (the card was closed): in its books the
    # refund is void, and the shop hears it (the webhook of tests/orders/test_stripe.py)
    TestGatewayRefund.objects.filter(reference=refund.reference).delete()
    assert refund_bounced(refund=refund, why="expired_or_canceled_card")

    page.goto("/dashboard/")
    tile = page.locator(".tile--alarm")
    assert "refunds to redo" in tile.inner_text().lower()  # (the label is upper-cased by CSS)
    check(page)
    screenshot("dashboard-refunds-to-redo")
    tile.get_by_role("link", name=number).click()
    page.get_by_text("Failed after it was sent").wait_for()
    page.get_by_text("Refund this order").click()
    assert page.get_by_text("failed after the payment provider had accepted it").is_visible()
    screenshot("dashboard-order-refund-bounced")
    page.get_by_label(f"Yes, refund {number}").check()
    page.get_by_role("button", name="Refund", exact=True).click()
    page.wait_for_url(f"**/dashboard/orders/{number}/")
    order = Order.objects.get(number=number)
    assert (order.status, order.amount_refunded) == ("cancelled", order.total)
    page.goto("/dashboard/")
    assert page.locator(".tile--alarm").count() == 0
    page_watch.assert_clean()
