"""Buying for real in a real browser (Chromium through Playwright): browse, add two variants as
a guest, sign in (the cart comes along), check out with the test card, see the confirmation and
the order history. A second browser, another shopper, never sees any of it."""

import re

import pytest

from tests.factories import create_category, create_product, create_user, ensure_shipping_methods

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def seed():
    # the delivery methods come from a data migration; an earlier transactional test may have
    # flushed them
    ensure_shipping_methods()
    clothing = create_category("Clothing", description="Shirts, hoodies and jackets.", position=1)
    home = create_category("Home", description="Mugs, lamps and linen.", position=2)
    create_product(
        "Organic Cotton Tee", category=clothing, is_featured=True,
        description="A midweight tee in organic cotton.",
        variants=[
            {"price": "24.00", "stock": 12, "options": {"size": "S", "colour": "White"},
             "sku": "TEE-S-WHT"},
            {"price": "26.00", "stock": 3, "options": {"size": "L", "colour": "Navy"},
             "sku": "TEE-L-NVY"},
        ],
    )
    create_product("Stoneware Mug", category=home, is_featured=True,
                   variants=[{"price": "14.50", "stock": 30, "sku": "MUG-1"}])
    create_user("ada@example.com", PASSWORD, name="Ada Lovelace")
    create_user("grace@example.com", PASSWORD, name="Grace Hopper")


def add_to_cart(page, *, quantity: str = "1") -> None:
    box = page.locator(".add-to-cart")
    box.get_by_role("button", name="Add to cart").wait_for()
    box.get_by_label("Quantity").select_option(quantity)
    with page.expect_response(lambda r: r.url.endswith("/cart/add/")) as added:
        box.get_by_role("button", name="Add to cart").click()
    assert added.value.status == 200
    assert "no-store" in added.value.headers["cache-control"]
    box.get_by_text("Added to your cart").wait_for()


def sign_in(page, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_guest_buys_two_variants_and_only_she_sees_the_order(
    page, page_watch, screenshot, browser, live_server, artifacts_dir
):
    seed()

    # The product page is public and cached; its add-to-cart form fetches this visitor's
    # CSRF token from the private sections on first submit.
    page.goto("/products/organic-cotton-tee/")
    with page.expect_response(lambda r: "/fragments/private" in r.url) as sections:
        add_to_cart(page, quantity="2")  # 2 x S / White
    assert "no-store" in sections.value.headers["cache-control"]
    page.locator(".cart-link .cart-count", has_text="2").wait_for()  # the header follows
    screenshot("checkout-01-product-added")

    # size L (only in navy): the product swaps, the add-to-cart form follows
    page.locator('[data-option="size"] .pick-value', has_text=re.compile("^L$")).click()
    page.wait_for_url(re.compile(r"variant=TEE-L-NVY"))
    page.locator(".add-to-cart select option").nth(2).wait_for(state="attached")
    assert page.locator(".add-to-cart select option").count() == 3  # only 3 left
    add_to_cart(page)
    page.locator(".cart-link .cart-count", has_text="3").wait_for()

    # The cart: change a quantity without a reload.
    page.get_by_role("link", name=re.compile("Cart")).click()
    page.wait_for_url("**/cart/")
    page.get_by_role("heading", name="Your cart").wait_for()
    quantity = page.get_by_label(re.compile("Qty of Organic Cotton Tee \\(S / White\\)"))
    quantity.fill("1")
    with page.expect_response(lambda r: r.url.endswith("/cart/update/")):
        quantity.press("Tab")
    page.locator(".co-summary", has_text="€50.00").wait_for()
    screenshot("checkout-02-cart-guest")

    # Sign in: the guest cart comes along, and checkout starts.
    page.get_by_role("link", name="Sign in to check out").click()
    page.wait_for_url(re.compile(r"/account/sign-in/"))
    sign_in(page, "ada@example.com")
    page.wait_for_url("**/checkout/address/")
    assert page.locator(".co-summary").get_by_text("Organic Cotton Tee").count() == 2

    page.get_by_label("Address", exact=True).fill("12 Analytical Engine Street")
    page.get_by_label("Postal code").fill("SW1A 1AA")
    page.get_by_label("City").fill("London")
    page.get_by_label("Country").select_option("GB")
    screenshot("checkout-03-address")
    page.get_by_role("button", name="Continue to delivery").click()

    page.wait_for_url("**/checkout/delivery/")
    page.locator("label", has_text="Express delivery").click()
    screenshot("checkout-04-delivery")
    page.get_by_role("button", name="Continue to payment").click()

    page.wait_for_url("**/checkout/payment/")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2031")
    page.get_by_label("Security code").fill("123")
    screenshot("checkout-05-payment")
    page.get_by_role("button", name="Review your order").click()

    page.wait_for_url("**/checkout/review/")
    assert "ending in 4242" in page.locator(".co-review").inner_text()
    assert "4242 4242 4242 4242" not in page.content()
    screenshot("checkout-06-review")
    page.get_by_role("button", name=re.compile("Place order and pay €62.95")).click()

    page.wait_for_url(re.compile(r"/checkout/complete/BFM-[0-9A-Z]{10}/$"))
    number = re.search(r"BFM-[0-9A-Z]{10}", page.url).group(0)
    page.get_by_role("heading", name="Thank you, your order is confirmed").wait_for()
    assert number in page.locator("main").inner_text()
    screenshot("checkout-07-confirmation")

    page.goto("/account/orders/")
    page.get_by_role("link", name=number).wait_for()
    screenshot("checkout-08-order-history")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/account/orders/{number}/")
    assert "12 Analytical Engine Street" in page.locator("main").inner_text()
    screenshot("checkout-09-order-detail")
    page_watch.assert_clean()

    # Another shopper, in another browser: nothing of Ada's, anywhere.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        grace = other.new_page()
        grace.goto("/account/sign-in/")
        sign_in(grace, "grace@example.com")
        grace.wait_for_url(re.compile(r"/account/"))
        for path in ("/account/orders/", "/cart/", f"/account/orders/{number}/",
                     f"/checkout/complete/{number}/", "/checkout/"):
            grace.goto(path)
            text = grace.content()
            for secret in (number, "Ada", "Analytical Engine", "SW1A"):
                assert secret not in text, (path, secret)
        grace.goto(f"/account/orders/{number}/")
        assert "We could not find this order." in grace.locator("main").inner_text()
        grace.goto("/account/orders/")
        grace.get_by_text("No orders yet").wait_for()
        grace.screenshot(
            path=str(artifacts_dir / "screenshots" / "checkout-10-other-shopper-desktop.png"),
            full_page=True,
        )
    finally:
        other.close()

