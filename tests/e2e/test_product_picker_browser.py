"""The product page's variant picker in a real browser (Chromium through Playwright), at 390
and 1280 px: an 18-cell size x colour matrix where every combination can be reached by picking
its values, sold-out and impossible choices are marked, the price and the image follow the
choice, "Add to cart" is on the first screen of a phone, and the same form works without
JavaScript. Screenshots of the first screen go to docs/screenshots/ with
UPDATE_DOCS_SCREENSHOTS=1."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageDraw

from shop.catalog.models import ProductImage
from tests.e2e.conftest import DESKTOP, MOBILE, screenshots_folder
from tests.factories import create_category, create_product

pytestmark = pytest.mark.browser

DOCS_SCREENSHOTS = screenshots_folder()
SIZES = ["EU 40", "EU 41", "EU 42", "EU 43", "EU 44", "EU 45"]
COLOURS = {"Brown": ("189.00", (104, 72, 50)), "Black": ("199.00", (43, 45, 49)),
           "Olive": ("179.00", (107, 112, 72))}
SOLD_OUT = {("EU 41", "Black"), ("EU 45", "Brown"), ("EU 45", "Black"), ("EU 45", "Olive")}
MISSING = {("EU 40", "Olive"), ("EU 44", "Olive")}


def media_route(page):
    """Serves MEDIA_ROOT to the browser (nginx does in production; the test server does not)."""
    root = Path(settings.MEDIA_ROOT)

    def handle(route):
        relative = route.request.url.split("/media/", 1)[1]
        target = root / relative
        if target.is_file():
            route.fulfill(status=200, body=target.read_bytes(), content_type="image/webp")
        else:
            route.fulfill(status=404, body=b"")

    page.route("**/media/**", handle)


def boot_image(colour: str, rgb) -> str:
    image = Image.new("RGB", (480, 480), (246, 244, 239))
    draw = ImageDraw.Draw(image)
    draw.polygon([(140, 90), (250, 90), (260, 300), (390, 330), (400, 390), (130, 390)],
                 fill=rgb)
    draw.rectangle((130, 380, 400, 400), fill=(30, 30, 30))
    relative = f"products/test/boot-{colour.lower()}.webp"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=80)
    target.write_bytes(out.getvalue())
    return relative


def seed_boot():
    footwear = create_category("Footwear", position=2)
    boots = create_category("Boots", parent=footwear)
    variants = []
    for colour, (price, _rgb) in COLOURS.items():
        for size in SIZES:
            if (size, colour) in MISSING:
                continue
            variants.append({
                "sku": f"WCB-{size[-2:]}-{colour[:3].upper()}", "price": price,
                "stock": 0 if (size, colour) in SOLD_OUT else 3 + len(variants) % 9,
                "options": {"size": size, "colour": colour},
            })
    product = create_product("Waxed Chelsea Boot", category=boots, variants=variants,
                             description="Oiled leather, elastic sides, a stacked heel.")
    for position, (colour, (_price, rgb)) in enumerate(COLOURS.items()):
        ProductImage.objects.create(product=product, path=boot_image(colour, rgb),
                                    alt=f"Waxed Chelsea Boot in {colour.lower()}",
                                    colour=colour, position=position)
    return product


def pick(page, option: str, value: str) -> None:
    radio = page.locator(f'input[name="{option}"][value="{value}"]')
    if radio.is_checked():
        return
    shown = page.locator('input[name="variant"]').get_attribute("value")
    page.locator(f'label[for="{radio.get_attribute("id")}"]').click()
    # the page answered (htmx swapped it in): another variant is shown
    page.locator(f'input[name="variant"]:not([value="{shown}"])').wait_for(state="attached")


def state_of(page, option: str, value: str) -> str:
    radio_id = page.locator(f'input[name="{option}"][value="{value}"]').get_attribute("id")
    return page.locator(f'label[for="{radio_id}"]').get_attribute("data-state")


def first_screen(page, name: str, size: dict, *, full_page: bool = False) -> None:
    """A small PNG of what the first screen (or the whole page) shows: palette, optimised;
    for the docs."""
    page.set_viewport_size(size)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(100)
    raw = page.screenshot(full_page=full_page, caret="initial")
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    label = "mobile" if size["width"] < 600 else "desktop"
    image = Image.open(io.BytesIO(raw)).convert("RGB").quantize(colors=128)
    image.save(DOCS_SCREENSHOTS / f"{name}-{label}.png", optimize=True)


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["390", "1280"])
def test_every_combination_is_reachable_and_marked(page, page_watch, viewport):
    seed_boot()
    media_route(page)
    page.set_viewport_size(viewport)
    page.goto("/products/waxed-chelsea-boot/")
    # the add-to-cart form (a private fragment) is on the first screen, on a phone too
    button = page.locator(".atc-form").get_by_role("button", name="Add to cart")
    button.wait_for()
    box = button.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], box
    first_screen(page, "product-picker", viewport)

    for colour, (price, _rgb) in COLOURS.items():
        for size in SIZES:
            if (size, colour) in MISSING:
                continue
            pick(page, "size", size)
            pick(page, "colour", colour)
            sku = f"WCB-{size[-2:]}-{colour[:3].upper()}"
            page.locator(f'input[name="variant"][value="{sku}"]').wait_for(state="attached")
            assert page.url.endswith(f"?variant={sku}") or sku == "WCB-40-BRO", page.url
            assert page.get_by_test_id("price").inner_text() == f"€{price}"
            gallery_first = page.get_by_test_id("gallery").locator("img").first
            assert gallery_first.get_attribute("data-colour") == colour
            words = page.get_by_test_id("availability").inner_text()
            assert ("Sold out" in words) == ((size, colour) in SOLD_OUT), (size, colour, words)
            # the other choices are marked for this size and colour
            for other in COLOURS:
                expected = ("missing" if (size, other) in MISSING
                            else "sold_out" if (size, other) in SOLD_OUT else "available")
                assert state_of(page, "colour", other) == expected, (size, other)
    # an impossible choice can still be picked: the size follows
    pick(page, "size", "EU 40")
    assert state_of(page, "colour", "Olive") == "missing"
    pick(page, "colour", "Olive")
    page.wait_for_url(re.compile(r"\?variant=WCB-41-OLI$"))
    page_watch.assert_clean()


def test_the_picker_works_without_javascript(browser, live_server):
    seed_boot()
    context = browser.new_context(viewport=MOBILE, base_url=live_server.url,
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/products/waxed-chelsea-boot/?variant=WCB-42-BRO")
        page.locator('label:has-text("Black")').click()
        page.get_by_role("button", name="Show this choice").click()
        page.wait_for_url(re.compile(r"\?variant=WCB-42-BLA$"))
        assert page.get_by_test_id("price").inner_text() == "€199.00"
        assert page.locator('input[name="colour"][value="Black"]').is_checked()
        assert page.locator('input[name="size"][value="EU 42"]').is_checked()
    finally:
        context.close()
