"""Issue 14 in a real browser: a signed-in shopper applies WELCOME10 in the cart, checks out
to a UK address and sees the discount and the VAT in the cart, on every checkout step, on the
review page and on the order page. Screenshots at 1280 and 390 px (test-artifacts/)."""

import re

import pytest

from shop.discounts.demo import demo_codes_seed
from shop.taxes.services import tax_rates_seed
from tests.e2e.test_checkout_browser import PASSWORD, add_to_cart, seed, sign_in

pytestmark = pytest.mark.browser


def test_a_shopper_applies_welcome10_and_sees_uk_vat_to_the_order_page(
    page, page_watch, screenshot, live_server
):
    seed()
    tax_rates_seed()
    demo_codes_seed()
    page.goto("/account/sign-in/")
    sign_in(page, "ada@example.com")
    page.wait_for_url(re.compile(r"/account/"))

    page.goto("/products/organic-cotton-tee/?variant=TEE-L-NVY")
    add_to_cart(page)  # 26.00
    page.goto("/products/stoneware-mug/")
    add_to_cart(page, quantity="2")  # 2 x 14.50

    page.goto("/cart/")
    summary = page.locator(".co-summary")
    summary.get_by_text("Including VAT 19 %").wait_for()  # no address yet: the home country
    page.get_by_label("Discount code").fill("welcome10")
    with page.expect_response(lambda r: r.url.endswith("/cart/discount/")) as applied:
        page.get_by_role("button", name="Apply").click()
    assert applied.value.status == 200
    assert "no-store" in applied.value.headers["cache-control"]
    summary.locator(".co-discount", has_text="WELCOME10").wait_for()
    text = summary.inner_text()
    assert "\u2212€5.50" in text
    assert "€54.45" in text  # 55.00 - 5.50 + 4.95
    page.get_by_text("The code WELCOME10 is applied: 10 % off.").wait_for()
    screenshot("discount-01-cart")

    page.get_by_role("link", name="Check out").click()
    page.wait_for_url("**/checkout/address/")
    page.get_by_label("Address", exact=True).fill("12 Analytical Engine Street")
    page.get_by_label("Postal code").fill("SW1A 1AA")
    page.get_by_label("City").fill("London")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Continue to delivery").click()

    page.wait_for_url("**/checkout/delivery/")
    page.locator(".co-summary").get_by_text("Including VAT 20 %").wait_for()  # the UK now
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/checkout/payment/")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2031")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Review your order").click()

    page.wait_for_url("**/checkout/review/")
    review = page.locator(".co-summary").inner_text()
    # VAT rounded per line: 23.40 -> 3.90, 26.10 -> 4.35, delivery 4.95 -> 0.83
    assert "WELCOME10" in review
    assert "€9.08" in review
    assert "€54.45" in review
    assert "United Kingdom" in review
    screenshot("discount-02-review")
    page.get_by_role("button", name=re.compile(r"Place order and pay €54\.45")).click()

    page.wait_for_url(re.compile(r"/checkout/complete/BFM-[0-9A-Z]{10}/$"))
    number = re.search(r"BFM-[0-9A-Z]{10}", page.url).group(0)
    page.goto(f"/account/orders/{number}/")
    order = page.locator(".co-totals").first.inner_text()
    assert "WELCOME10" in order
    assert "€9.08" in order
    assert "€54.45" in order
    assert "Including VAT 20 %" in order
    screenshot("discount-03-order")
    page_watch.assert_clean()
    assert PASSWORD not in page.content()
