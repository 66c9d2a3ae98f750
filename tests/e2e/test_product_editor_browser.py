"""A manager creates a product in the dashboard in a real browser (Chromium, Playwright), at
390 and 1280 px: two colours and three sizes built as a matrix, stock per cell, published, an
image uploaded for one colour; then a shopper finds it in the storefront's list and picks a
variant. Screenshots of the editor go to docs/screenshots/ with UPDATE_DOCS_SCREENSHOTS=1."""

import re

import pytest

from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.test_dashboard_browser import check, sign_in
from tests.e2e.test_product_picker_browser import first_screen, media_route
from tests.support import hostile_images as hostile

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _clean(empty_cache):
    return empty_cache


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["390", "1280"])
def test_a_manager_creates_a_product_and_a_shopper_finds_it(page, page_watch, shop, viewport,
                                                            tmp_path, screenshot):
    media_route(page)
    page.set_viewport_size(viewport)
    sign_in(page, shop.manager.email, next_path="/dashboard/products/")
    page.get_by_role("link", name="New product").click()
    page.get_by_role("heading", name="New product").wait_for()
    page.get_by_label("Name").fill("Linen Camp Shirt")
    page.get_by_label("Category").select_option(label="— T-Shirts")
    page.get_by_label("Description").fill("Loose, breezy linen with a camp collar.")
    page.get_by_label("Published (shown in the shop)").check()
    page.get_by_label("Values of option 1 (comma-separated)").fill("S, M, L")
    page.get_by_label("Values of option 2 (comma-separated)").fill("Sand, Olive")
    page.get_by_label("Price for new variants (EUR)").fill("59.00")
    page.get_by_role("button", name="Build the variant table").click()
    page.get_by_label("SKU of L / Olive").wait_for()
    assert page.locator("table.matrix tbody tr").count() == 6
    assert page.get_by_label("SKU of S / Sand").input_value() == "LCS-S-SAND"
    for n, label in enumerate(["S / Sand", "M / Sand", "L / Sand", "S / Olive", "M / Olive"]):
        page.get_by_label(f"Stock of {label}").fill(str(3 + n))
    page.get_by_label("Price of L / Olive").fill("64.00")  # L / Olive stays at 0: sold out
    check(page)
    first_screen(page, "product-editor", viewport, full_page=True)
    # the page fits the screen: nothing wider than the viewport but the tables that scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("button", name="Create product").click()
    page.get_by_text("Linen Camp Shirt created. Add its images below.").wait_for()
    image = tmp_path / "olive.jpg"
    image.write_bytes(hostile.jpeg_with_gps(colour=(107, 112, 72)))
    page.get_by_label("Image file").set_input_files(str(image))
    page.get_by_label("Colour").select_option("Olive")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Image added.").wait_for()
    assert page.locator(".image-list img").count() == 1
    check(page)
    screenshot("dashboard-product-detail")
    page.goto("/dashboard/products/")
    page.get_by_role("link", name="Linen Camp Shirt").wait_for()
    check(page)
    screenshot("dashboard-product-list")

    # the shopper's side: newest first in the list, with its image; the picker follows
    page.goto("/products/")
    card = page.locator(".product-card", has_text="Linen Camp Shirt").first
    card.wait_for()
    assert card.locator("img").get_attribute("src").endswith(".webp")
    card.get_by_role("link", name=re.compile("Linen Camp Shirt")).first.click()
    page.get_by_role("heading", name="Linen Camp Shirt").wait_for()
    assert page.get_by_test_id("price").inner_text() == "€59.00"
    page.locator('[data-option="colour"] .pick-value', has_text="Olive").click()
    page.wait_for_url(re.compile(r"\?variant=LCS-S-OLIV$"))
    assert page.get_by_test_id("gallery").locator("img").first.get_attribute(
        "data-colour") == "Olive"
    page.locator('[data-option="size"] .pick-value', has_text=re.compile("^L$")).click()
    page.wait_for_url(re.compile(r"\?variant=LCS-L-OLIV$"))
    assert page.get_by_test_id("price").inner_text() == "€64.00"
    assert "Sold out" in page.get_by_test_id("availability").inner_text()
    page_watch.assert_clean()
