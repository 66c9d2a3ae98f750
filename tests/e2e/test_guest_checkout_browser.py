"""A guest buys in a real browser (issue 14): "Check out as guest" from the cart, an e-mail
address, a UK address (the postcode checked as the UK's), the test card, the confirmation with
the order token shown once; then the e-mailed link, opened in another browser, leads to the
order page: the token travels in the link's fragment, which the page's script posts and
removes from the address bar, and the order page is private, no-store."""

import re

import pytest
from django.core import mail

from tests.e2e.test_checkout_browser import add_to_cart, seed
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.browser


def test_a_guest_buys_to_a_uk_address_and_opens_the_order_from_the_email(
    page, page_watch, screenshot, browser, live_server
):
    seed()
    page.goto("/products/stoneware-mug/")
    add_to_cart(page, quantity="2")
    page.goto("/cart/")
    screenshot("guest-01-cart")
    page.get_by_role("link", name="Check out as guest").click()
    page.wait_for_url("**/checkout/guest/")
    page.get_by_label("Your e-mail address").fill("winifred.guest@example.com")
    screenshot("guest-02-email")
    page.get_by_role("button", name="Continue to address").click()

    page.wait_for_url("**/checkout/address/")
    page.get_by_label("Full name").fill("Winifred Guest")
    page.get_by_label("Address", exact=True).fill("10 Downing Street")
    page.get_by_label("City").fill("London")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Postal code").fill("12345")  # a US ZIP is not a UK postcode
    page.get_by_role("button", name="Continue to delivery").click()
    page.get_by_text("Enter a valid postcode for United Kingdom").wait_for()
    screenshot("guest-03-address-error")
    page.get_by_label("Postal code").fill("sw1a2aa")
    page.get_by_role("button", name="Continue to delivery").click()

    page.wait_for_url("**/checkout/delivery/")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/checkout/payment/")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2031")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Review your order").click()
    page.wait_for_url("**/checkout/review/")
    assert "SW1A 2AA" in page.locator("main").inner_text()
    page.get_by_role("button", name=re.compile("Place order and pay")).click()

    page.wait_for_url("**/checkout/guest/complete/")
    page.get_by_role("heading", name="Thank you, your order is confirmed").wait_for()
    number = page.get_by_test_id("order-number").inner_text()
    token = page.get_by_test_id("order-token").inner_text()
    assert re.fullmatch(r"BFM-[0-9A-Z]{10}", number)
    assert token not in page.url
    screenshot("guest-04-confirmation")
    page.reload()  # shown once: the confirmation does not come back
    page.wait_for_url("**/order/")
    page_watch.assert_clean()

    deliver_outbox()
    (message,) = [m for m in mail.outbox if number in m.subject]
    link = re.search(r"(https?://\S+/order/#\S+)", message.body).group(1)
    assert link.endswith(f"#{number}.{token}")
    link = re.sub(r"^https?://[^/]+", live_server.url, link)

    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        guest = other.new_page()
        requests = []
        guest.on("request", lambda r: requests.append((r.method, r.url, r.post_data or "")))
        with guest.expect_response(lambda r: r.url.endswith("/order/")
                                   and r.request.method == "POST") as shown:
            guest.goto(link)
        assert shown.value.status == 200
        assert "no-store" in shown.value.headers["cache-control"]
        guest.get_by_role("heading", name=re.compile(number)).wait_for()
        assert "10 Downing Street" in guest.locator("main").inner_text()
        assert "#" not in guest.url
        assert all(token not in url for _, url, _ in requests)  # only ever in a POST body
        assert any(method == "POST" and token in body for method, _, body in requests)
        for width, label in ((1280, "desktop"), (390, "mobile")):
            guest.set_viewport_size({"width": width, "height": 900})
            guest.screenshot(path=str(_shots() / f"guest-05-order-page-{label}.png"),
                             full_page=True)
        # a wrong token: the one "not found", the order nowhere
        guest.goto("/order/")
        guest.get_by_label("Order number").fill(number)
        guest.get_by_label("Order token").fill("x" * 43)
        guest.get_by_role("button", name="Show my order").click()
        guest.get_by_text("We could not find this order.").wait_for()
        assert "Downing" not in guest.content()
        guest.screenshot(path=str(_shots() / "guest-06-not-found-mobile.png"), full_page=True)
    finally:
        other.close()


def _shots():
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
