"""What a shopper notices, left open by the last release, in a real browser at 1280 and 390 px:
the add-to-cart quantity list does not tell the exact stock (docs/catalog.md, "What stock is
shown") and asking for more than there is adds nothing and says so; long product names wrap or
are cut neatly in the checkout summary, the order pages and the confirmation e-mail; the
category dropdown of the filters is whole on a phone. Screenshots go to
test-artifacts/screenshots."""

import re
import secrets

import pytest

from shop.orders.emails import order_email_build
from shop.orders.guest_tokens import order_token, order_token_hash
from shop.orders.models import GuestOrder, Order
from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.test_rough_edges_browser import LONG_NAMES, assert_fits, at_both_widths, sign_in_on
from tests.factories import create_product, ensure_shipping_methods, place_order
from tests.support.a11y import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _clean(empty_cache):
    return empty_cache


def options(page) -> list[str]:
    select = page.locator(".add-to-cart").get_by_label("Quantity")
    select.wait_for()
    return select.locator("option").all_inner_texts()


def add(page, quantity: str):
    box = page.locator(".add-to-cart")
    box.get_by_label("Quantity").select_option(quantity)
    with page.expect_response(lambda r: r.url.endswith("/cart/add/")) as answer:
        box.get_by_role("button", name="Add to cart").click()
    assert answer.value.status == 200
    return box


# --- 1. the quantity list and asking for more than there is


def test_the_quantity_list_does_not_tell_the_exact_stock(page, page_watch, screenshot, catalog):
    seven = create_product("Seven Candles", category=catalog.home,
                           variants=[{"price": "9.00", "stock": 7, "sku": "CANDLE-7"}])
    three = create_product("Three Vases", category=catalog.home,
                           variants=[{"price": "19.00", "stock": 3, "sku": "VASE-3"}])
    plenty = create_product("Many Spoons", category=catalog.home,
                            variants=[{"price": "4.00", "stock": 40, "sku": "SPOON-40"}])
    ten = [str(n) for n in range(1, 11)]

    page.goto(f"/products/{seven.slug}/")
    assert page.locator(".stock").first.inner_text().strip() == "In stock"
    assert options(page) == ten  # not 1..7: that would tell the stock the page keeps to itself
    page.goto(f"/products/{plenty.slug}/")
    assert options(page) == ten
    # few left: the page says "Only 3 left" anyway, and the list follows it
    page.goto(f"/products/{three.slug}/")
    assert "Only 3 left" in page.locator(".product-detail").inner_text()
    assert options(page) == ["1", "2", "3"]

    # the private form that answers an add (with this visitor's token) offers the same
    page.goto(f"/products/{seven.slug}/")
    box = add(page, "2")
    box.get_by_text("Added to your cart").wait_for()
    assert options(page) == ten
    screenshot("quantity-list-after-add")
    page_watch.assert_clean()


def test_asking_for_more_than_there_is_adds_nothing_and_says_how_many_are_left(
    page, page_watch, screenshot, catalog
):
    seven = create_product("Seven Candles", category=catalog.home,
                           variants=[{"price": "9.00", "stock": 7, "sku": "CANDLE-7"}])
    page.goto(f"/products/{seven.slug}/")
    box = add(page, "10")
    alert = box.get_by_role("alert")
    alert.wait_for()
    words = alert.inner_text()
    assert "only 7 of Seven Candles left" in words
    assert "nothing was added" in words
    assert box.locator(".atc-ok").count() == 0
    screenshot("quantity-more-than-there-is")
    page.goto("/cart/")
    page.get_by_text("Your cart is empty").wait_for()  # nothing half-added

    # in the cart: the input does not tell the stock either; asking for more keeps the line
    page.goto(f"/products/{seven.slug}/")
    add(page, "2").get_by_text("Added to your cart").wait_for()
    page.goto("/cart/")
    qty = page.get_by_label(re.compile("^Qty"))
    assert qty.get_attribute("max") == "99"
    assert page.locator(".cart-qty .co-hint").inner_text().startswith("0 to 99")
    qty.fill("12")
    with page.expect_response(lambda r: r.url.endswith("/cart/update/")):
        page.get_by_role("button", name="Update").click()
    alert = page.locator("#cart-body").get_by_role("status").locator(".co-message-error")
    alert.wait_for()
    assert "only 7 of Seven Candles left" in alert.inner_text()
    assert page.get_by_label(re.compile("^Qty")).input_value() == "2"
    at_both_widths(page, lambda where: assert_fits(page, where))
    screenshot("cart-more-than-there-is")
    assert serious_violations(page) == []
    page_watch.assert_clean()


# --- 2. long names in the checkout summary, the order pages and the e-mail

NAME_FITS = """(selector) => [...document.querySelectorAll(selector)].map((el) => {
  const r = el.getBoundingClientRect(), box = el.closest("li, td, tr").getBoundingClientRect();
  return {right: r.right, box: box.right, over: el.scrollWidth - el.clientWidth,
          height: r.height, width: window.innerWidth};
})"""


def assert_names_fit(page, selector: str, where: str) -> None:
    found = page.evaluate(NAME_FITS, selector)
    assert found, f"{where}: no {selector}"
    for box in found:
        assert box["over"] <= 1, f"{where}: {selector} overflows: {box}"
        assert box["right"] <= box["box"] + 1, f"{where}: {selector} leaves its line: {box}"
        assert box["right"] <= box["width"], f"{where}: {selector} off screen: {box}"
        assert box["height"] < 120, f"{where}: {selector} too tall: {box}"  # cut, not endless


@pytest.mark.parametrize("kind", LONG_NAMES)
def test_long_names_fit_the_checkout_summary_the_order_pages_and_the_email(
    page, page_watch, screenshot, shop, kind
):
    ensure_shipping_methods()
    long_name = LONG_NAMES[kind]
    product = create_product(long_name, category=shop.catalog.tees,
                             variants=[{"price": "79.00", "stock": 8, "options": {"size": "M"}}])
    variant = product.variants.get()
    mine = place_order(shop.customer, variant=variant, variant_label="M")
    guest = place_order(None, variant=variant)
    Order.objects.filter(pk=guest.pk).update(email="winifred.guest@example.com")
    nonce = secrets.token_urlsafe(24)
    GuestOrder.objects.create(order=guest, nonce=nonce, site_url="http://testserver",
                              token_hash=order_token_hash(order_token(number=guest.number,
                                                                      nonce=nonce)))

    sign_in_on(page, shop.customer.email, "/account/sign-in/?next=/account/")
    page.wait_for_url("**/account/")
    page.goto(f"/products/{product.slug}/")
    add(page, "1").get_by_text("Added to your cart").wait_for()

    checks = [("/checkout/address/", ".co-mini-name .line-name"),
              ("/account/orders/", None),
              (f"/account/orders/{mine.number}/", ".co-order-name .line-name")]
    for url, selector in checks:
        page.goto(url)
        page.get_by_role("heading", level=1).first.wait_for()

        def check(where, selector=selector, url=url):
            assert_fits(page, where)
            if selector:
                assert_names_fit(page, selector, where)
                assert page.locator(selector).first.get_attribute("title") == long_name
            if "/orders/" in url and selector:  # the size under the name, not cut with it
                assert page.locator(".co-order-variant").first.is_visible(), where

        at_both_widths(page, check)
        screenshot(f"long-name-{kind}-" + re.sub(r"[^a-z0-9]+", "-", url.strip("/")))
        assert serious_violations(page) == [], url

    # the guest's order page (number and token, as the e-mailed link posts them)
    page.goto("/account/sign-out/")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    page.goto("/order/")
    page.get_by_label("Order number").fill(guest.number)
    page.get_by_label("Order token").fill(order_token(number=guest.number, nonce=nonce))
    page.get_by_role("button", name="Show my order").click()
    page.get_by_role("heading", name=re.compile(guest.number)).wait_for()
    at_both_widths(page, lambda where: (assert_fits(page, where),
                                        assert_names_fit(page, ".co-order-name .line-name",
                                                         where)))
    screenshot(f"long-name-{kind}-guest-order")
    assert serious_violations(page) == []
    page_watch.assert_clean()

    # the confirmation e-mail's HTML, as a mail client shows it at both widths
    message = order_email_build(order=mine, kind="confirmation")
    html = next(body for body, kind_ in message.alternatives if kind_ == "text/html")
    assert long_name in html
    page.goto("about:blank")  # a document without the shop's CSP, as a mail client shows it
    page.set_content(html)
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "560px"
    for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        assert_fits(page, f"e-mail at {label}")
        assert_names_fit(page, ".line-name", f"e-mail at {label}")
        page.screenshot(path=str(_shots(page) / f"long-name-{kind}-email-{label}.png"),
                        full_page=True)


def _shots(page):
    from django.conf import settings

    folder = settings.BASE_DIR / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- 3. the filters on a phone

LABELS_SHOWN = """() => [...document.querySelectorAll(".filters select")].map((select) => {
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = select.options[select.selectedIndex].text;
  const room = select.clientWidth - parseFloat(style.paddingLeft)
    - parseFloat(style.paddingRight) - 20;  // Chromium draws the arrow inside, about 20 px
  return {id: select.id, text, needs: context.measureText(text).width, room};
})"""


def test_the_filter_dropdowns_show_their_whole_label_on_a_phone(page, page_watch, screenshot,
                                                               catalog):
    page.goto("/products/")
    for label, size in (("mobile", MOBILE), ("narrow", {"width": 320, "height": 700}),
                        ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        shown = page.evaluate(LABELS_SHOWN)
        assert {s["id"] for s in shown} == {"f-category", "f-sort"}
        for select in shown:
            assert select["needs"] <= select["room"], f"{label}: {select}"
        assert_fits(page, f"/products/ at {label}")
    page.set_viewport_size(MOBILE)
    page.locator(".filters").screenshot(path=str(_shots(page) / "filters-mobile.png"))
    page_watch.assert_clean()
