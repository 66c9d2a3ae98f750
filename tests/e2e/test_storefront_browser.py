"""A shopper's walk through the storefront in a real browser (Chromium through Playwright)."""

import re

import pytest

from tests.factories import create_category, create_product

pytestmark = pytest.mark.browser

# What any storefront page must get right, whoever renders it: labels, alt text, names for
# links and buttons, one h1, a language, and nothing inline that the CSP would block.
BASIC_A11Y = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!el.labels.length && !el.getAttribute("aria-label")) problems.push("unlabelled " + el.name);
  }
  for (const img of document.querySelectorAll("img:not([alt])")) problems.push("no alt " + img.src);
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!el.textContent.trim() && !el.getAttribute("aria-label")) {
      problems.push("nameless " + el.outerHTML);
    }
  }
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push(h1s + " h1 elements");
  if (!document.documentElement.lang) problems.push("no lang");
  for (const el of document.querySelectorAll("[style]")) problems.push("style on " + el.tagName);
  for (const el of document.querySelectorAll("script:not([src])")) problems.push("inline script");
  return problems;
}"""


def assert_basic_accessibility(page):
    assert page.evaluate(BASIC_A11Y) == [], page.url


def seed_shop():
    """A catalog rich enough to look like a shop: categories, subcategories, variants."""
    clothing = create_category("Clothing", description="Shirts, hoodies and jackets.", position=1)
    tees = create_category("T-Shirts", parent=clothing, description="Soft, organic cotton tees.")
    hoodies = create_category("Hoodies", parent=clothing)
    footwear = create_category("Footwear", description="Sneakers and boots.", position=2)
    home = create_category("Home", description="Mugs, lamps and linen.", position=3)
    outdoor = create_category("Outdoor", description="Gear for weekends away.", position=4)
    sizes = [
        {
            "price": "24.00",
            "stock": 12,
            "options": {"size": "S", "colour": "White"},
            "sku": "TEE-S-WHT",
        },
        {
            "price": "24.00",
            "stock": 0,
            "options": {"size": "M", "colour": "White"},
            "sku": "TEE-M-WHT",
        },
        {
            "price": "26.00",
            "stock": 3,
            "options": {"size": "L", "colour": "Navy"},
            "sku": "TEE-L-NVY",
        },
    ]
    create_product(
        "Organic Cotton Tee",
        category=tees,
        age_days=3,
        is_featured=True,
        variants=sizes,
        description="A midweight tee in organic cotton.\n\nCut for a relaxed fit.",
    )
    create_product(
        "Striped Breton Tee", category=tees, age_days=9, variants=[{"price": "32.00", "stock": 7}]
    )
    create_product(
        "Heavyweight Hoodie",
        category=hoodies,
        age_days=2,
        is_featured=True,
        variants=[
            {"price": "69.00", "stock": 2, "options": {"size": "M"}},
            {"price": "69.00", "stock": 0, "options": {"size": "L"}},
        ],
    )
    create_product(
        "Waxed Field Jacket",
        category=clothing,
        age_days=12,
        variants=[{"price": "189.00", "stock": 0}],
    )
    create_product(
        "Canvas Low Sneaker",
        category=footwear,
        age_days=4,
        is_featured=True,
        variants=[{"price": "79.00", "stock": 5, "options": {"size": "42"}}],
    )
    create_product(
        "Leather Chelsea Boot",
        category=footwear,
        age_days=20,
        variants=[{"price": "149.00", "stock": 1, "options": {"size": "43"}}],
    )
    create_product(
        "Stoneware Mug",
        category=home,
        age_days=0,
        is_featured=True,
        variants=[{"price": "14.50", "stock": 30}],
    )
    create_product(
        "Brass Desk Lamp", category=home, age_days=1, variants=[{"price": "120.00", "stock": 0}]
    )
    create_product(
        "Linen Napkins, Set of 4",
        category=home,
        age_days=6,
        variants=[{"price": "28.00", "stock": 8}],
    )
    create_product(
        "Ultralight Tent", category=outdoor, age_days=5, variants=[{"price": "349.00", "stock": 4}]
    )
    create_product(
        "Merino Beanie", category=outdoor, age_days=7, variants=[{"price": "29.00", "stock": 15}]
    )


def test_shopper_finds_a_tee_and_picks_a_size(page, page_watch, screenshot, live_server):
    seed_shop()

    # Home: an anonymous visitor's header is the cached page's own links; nothing private is
    # asked (no version cookie: tests/e2e/test_page_views_browser.py counts it at the app).
    page.goto("/")
    page.wait_for_load_state("networkidle")
    assert not [url for url in page_watch.requests if "/fragments/" in url]
    nav = page.get_by_role("navigation", name="Account")
    nav.get_by_role("link", name="Sign in").wait_for()
    page.get_by_role("heading", name="Featured").wait_for()
    assert page.get_by_role("link", name=re.compile("Organic Cotton Tee")).first.is_visible()
    assert_basic_accessibility(page)
    screenshot("home")

    # A category: its subcategories' products are there too.
    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Clothing").click()
    page.wait_for_url("**/c/clothing/")
    assert page.get_by_role("heading", level=1).inner_text() == "Clothing"
    results = page.locator("#results")
    for name in ("Organic Cotton Tee", "Heavyweight Hoodie", "Waxed Field Jacket"):
        assert results.get_by_text(name).is_visible()
    assert results.get_by_text("Stoneware Mug").count() == 0
    assert_basic_accessibility(page)
    screenshot("category")

    # The header search box.
    search = page.get_by_role("search").get_by_role("searchbox", name="Search products")
    search.fill("cotton tee")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/products/\?q=cotton\+tee$"))
    assert page.locator("#results .product-card").count() == 1
    assert_basic_accessibility(page)
    screenshot("search")

    # The product page, then another size: htmx swaps the buy box and the URL follows.
    page.locator("#results").get_by_role("link", name=re.compile("Organic Cotton Tee")).click()
    page.wait_for_url("**/products/organic-cotton-tee/")
    buy_box = page.locator(".buy-box")
    assert buy_box.locator("#price").inner_text() == "€24.00"
    assert page.locator('input[name="size"][value="S"]').is_checked()
    assert page.locator('input[name="colour"][value="White"]').is_checked()
    assert_basic_accessibility(page)
    screenshot("product")

    # size L: there is no L in white, so the colour follows (navy)
    page.locator('[data-option="size"] .pick-value', has_text=re.compile("^L$")).click()
    page.wait_for_url(re.compile(r"\?variant=TEE-L-NVY$"))
    page.locator("#price", has_text="€26.00").wait_for()
    assert page.locator('input[name="colour"][value="Navy"]').is_checked()
    assert "Only 3 left" in page.locator("#availability").inner_text()

    page.locator('[data-option="size"] .pick-value', has_text=re.compile("^M$")).click()
    page.wait_for_url(re.compile(r"\?variant=TEE-M-WHT$"))
    page.locator("#availability", has_text="Sold out").wait_for()
    assert page.locator("#price").inner_text() == "€24.00"
    screenshot("product-sold-out")

    page_watch.assert_clean()
    assert any(url.endswith("/static/shop/shop.css") for url in page_watch.requests)


def test_filters_update_the_results_in_place(page, page_watch, screenshot):
    seed_shop()
    page.goto("/products/")
    page.get_by_label("Sort by").select_option("price")
    page.wait_for_url(re.compile(r"sort=price"))
    names = page.locator("#results .product-name").all_inner_texts()
    assert names[0] == "Stoneware Mug"
    assert names[-1] == "Ultralight Tent"

    page.get_by_label("In stock only").check()
    page.wait_for_url(re.compile(r"in_stock=on"))
    page.get_by_role("link", name="Clear filters").wait_for()  # the filter panel follows too
    page.locator("#results").get_by_text("Brass Desk Lamp").wait_for(state="detached")
    assert "Waxed Field Jacket" not in page.locator("#results").inner_text()
    screenshot("listing-filtered")

    page.get_by_label("Minimum price").fill("1000")
    page.get_by_label("Minimum price").press("Enter")
    page.get_by_text("No products match these filters.").wait_for()
    screenshot("listing-empty", mobile=False)
    page_watch.assert_clean()


def test_next_page_shows_the_rest(page, page_watch, screenshot, settings):
    settings.SHOP_PAGE_SIZE = 4  # the live server runs in this process
    seed_shop()
    page.goto("/c/clothing/?sort=price")
    first = page.locator("#results .product-name").all_inner_texts()
    assert first == [
        "Organic Cotton Tee",
        "Striped Breton Tee",
        "Heavyweight Hoodie",
        "Waxed Field Jacket",
    ]
    page.goto("/products/?sort=price")
    seen = page.locator("#results .product-name").all_inner_texts()
    screenshot("listing-paged", mobile=False)
    assert "page 1 of 3" in page.locator(".result-summary").inner_text()
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    seen += page.locator("#results .product-name").all_inner_texts()
    page.get_by_role("link", name="Page 3").click()
    page.wait_for_url(re.compile(r"page=3"))
    seen += page.locator("#results .product-name").all_inner_texts()
    assert page.get_by_role("link", name="Next").count() == 0
    assert len(seen) == len(set(seen)) == 11
    page.get_by_role("link", name="Page 1").click()
    page.wait_for_url(re.compile(r"/products/\?sort=price$"))
    page_watch.assert_clean()


def test_keyboard_shopper_sees_focus_and_can_pick_a_size(page, page_watch):
    seed_shop()
    page.goto("/products/organic-cotton-tee/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["x"] >= 0  # shown on screen once focused

    size = {v: page.locator(f'input[name="size"][value="{v}"]') for v in ("S", "M", "L")}
    size["S"].focus()
    label = page.locator(f'label[for="{size["S"].get_attribute("id")}"]')
    assert label.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"

    # Arrow keys move through the sizes; htmx swaps the product and keeps the focus.
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(r"\?variant=TEE-M-WHT$"))
    page.locator("#availability", has_text="Sold out").wait_for()
    assert page.evaluate("document.activeElement.id") == size["M"].get_attribute("id")
    page.keyboard.press("ArrowRight")
    page.locator("#price", has_text="€26.00").wait_for()
    assert page.evaluate("document.activeElement.id") == size["L"].get_attribute("id")
    page_watch.assert_clean()


def test_api_docs_work_from_our_own_origin(page, page_watch):
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .title", has_text="Buy_From_Me API").wait_for()
    page.get_by_text("/api/v1/products/{slug}").first.wait_for()  # the schema was loaded
    assert any(url.endswith("/static/ninja/swagger-ui-bundle.js") for url in page_watch.requests)
    page_watch.assert_clean()
