"""A guest pays on the payment provider's hosted page in a real browser: the cart, "Check out as
guest", the address, no card form in the shop, the review, the provider's page (the local
Stripe fake of tests/support/stripe_fake.py, on loopback), back to the confirmation with the
order token shown once, and exactly one confirmation e-mail with the link. The token never
appears in a URL the browser asked for."""

import copy
import re

import pytest
from django.core import mail

from shop.orders.models import Order, OrderStatus
from tests.e2e.test_checkout_browser import add_to_cart, seed
from tests.support.outbox import deliver_outbox
from tests.support.stripe_fake import SECRET_KEY, WEBHOOK_SECRET, StripeFake

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(settings):
    server = StripeFake().start()
    settings.SHOP_PAYMENT_GATEWAY = "shop.orders.payments.stripe_gateway.StripeGateway"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_TIMEOUT = 5
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)  # the provider's page, as Stripe's
    policy["DIRECTIVES"]["form-action"].append(server.url)
    settings.CONTENT_SECURITY_POLICY = policy
    yield server
    server.stop()


def test_a_guest_pays_on_the_hosted_page_and_gets_the_token_once(
    page, page_watch, screenshot, provider, browser, live_server, artifacts_dir
):
    seed()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto("/products/stoneware-mug/")
    add_to_cart(page, quantity="2")
    page.goto("/cart/")
    page.get_by_role("link", name="Check out as guest").click()
    page.get_by_label("Your e-mail address").fill("henrietta.guest@example.com")
    page.get_by_role("button", name="Continue to address").click()
    page.wait_for_url("**/checkout/address/")
    page.get_by_label("Full name").fill("Henrietta Guest")
    page.get_by_label("Address", exact=True).fill("221B Baker Street")
    page.get_by_label("City").fill("London")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Postal code").fill("NW1 6XE")
    page.get_by_role("button", name="Continue to delivery").click()
    page.wait_for_url("**/checkout/delivery/")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/checkout/payment/")
    assert page.get_by_label("Card number").count() == 0  # the shop takes no card
    screenshot("guest-hosted-01-payment")
    page.locator("main").get_by_role("button").first.click()
    page.wait_for_url("**/checkout/review/")
    screenshot("guest-hosted-02-review")
    page.get_by_role("button", name=re.compile("Place order")).click()

    page.wait_for_url(f"{provider.url}/pay/**")  # the provider's page
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_PAYMENT
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url("**/checkout/guest/complete/")
    page.get_by_role("heading", name="Thank you, your order is confirmed").wait_for()
    number = page.get_by_test_id("order-number").inner_text()
    token = page.get_by_test_id("order-token").inner_text()
    assert number == order.number
    assert Order.objects.get().status == OrderStatus.PAID
    screenshot("guest-hosted-03-confirmation")
    page.reload()  # once
    page.wait_for_url("**/order/")
    assert all(token not in url for url in urls)
    # the provider's own page (the fake: no favicon) is not the shop's to judge
    page_watch.foreign_requests = [u for u in page_watch.foreign_requests
                                   if not u.startswith(provider.url)]
    page_watch.console_errors = [e for e in page_watch.console_errors if provider.url not in e]
    page_watch.assert_clean()

    deliver_outbox()
    sent = [m for m in mail.outbox if number in m.subject]
    assert [m.subject for m in sent] == [f"Your Buy_From_Me order {number} is confirmed"]
    assert f"/order/#{number}.{token}" in sent[0].body

    # the same return link opened in another browser: a page that names nobody
    (session,) = provider.sessions.values()
    other = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        elsewhere = other.new_page()
        elsewhere.goto(session["success_url"])
        elsewhere.get_by_role("heading", name="Thank you").wait_for()
        text = elsewhere.locator("main").inner_text()
        assert "e-mailed" in text
        assert token not in elsewhere.content()
        assert "Baker Street" not in text
        elsewhere.screenshot(path=str(artifacts_dir / "screenshots"
                                      / "guest-hosted-04-elsewhere-mobile.png"), full_page=True)
    finally:
        other.close()
