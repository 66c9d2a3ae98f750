"""Issue 14, finding 5: the browser and the server say the same thing about a quantity and a
card's expiry. The cart's quantity input carries the line's one limit (min 0, max = what can
be bought now, at most 99) and a hint that says it; the server's refusal of a bad quantity
names the same limit. A card month of 13 gets the shop's words, never Django's raw "Ensure
this value is less than or equal to 12." """

import re

import pytest

from shop.cart.models import MAX_LINE_QUANTITY
from tests.factories import ALICE_ADDRESS

from .test_checkout_web import CARD, add, location, sku

pytestmark = pytest.mark.django_db


def qty_input(page: str, sku_code: str) -> dict:
    form = page[page.index(f'value="{sku_code}"'):]
    tag = re.search(r'<input[^>]*name="quantity"[^>]*>', form).group(0)
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
    hint = re.search(r'id="{}"[^>]*>([^<]*)<'.format(attrs["aria-describedby"]), form).group(1)
    return {**attrs, "hint": hint}


def test_the_cart_input_and_the_server_name_the_same_limit(catalog, alice_web):
    mug = sku(catalog.mug)  # 30 in stock: the input does not tell it (docs/catalog.md)
    add(alice_web, mug)
    field = qty_input(alice_web.get("/cart/").content.decode(), mug)
    assert (field["min"], field["max"]) == ("0", str(MAX_LINE_QUANTITY))
    assert field["hint"].startswith(f"0 to {MAX_LINE_QUANTITY}")
    for bad in ("-1", "abc", "100", "1.5"):
        response = alice_web.post("/cart/update/", {"sku": mug, "quantity": bad},
                                  HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        text = response.content.decode()
        assert f"Choose a quantity from 0 to {MAX_LINE_QUANTITY}" in text, (bad, text[:400])
        assert "30" not in re.sub(r"<[^>]+>", "", text.split('class="co-messages"')[1][:300])
    # more than the stock, within the browser's own rules: refused with words, line unchanged
    text = alice_web.post("/cart/update/", {"sku": mug, "quantity": "31"},
                          HTTP_HX_REQUEST="true").content.decode()
    assert "Sorry, only 30 of Stoneware Mug left: your cart still has 1." in text
    assert qty_input(text, mug)["value"] == "1"


def test_when_few_are_left_the_cart_input_stops_at_what_the_page_says(catalog, alice_web):
    tee = catalog.tee.variants.get(stock=4)  # the product page says "Only 4 left"
    add(alice_web, tee.sku)
    field = qty_input(alice_web.get("/cart/").content.decode(), tee.sku)
    assert (field["min"], field["max"]) == ("0", "4")
    assert field["hint"].startswith("0 to 4")


@pytest.mark.parametrize(("month", "year"), [("13", "2031"), ("0", "2031"), ("x", "2031"),
                                             ("12", "99999")])
def test_a_bad_card_expiry_gets_the_shops_words(catalog, alice_web, month, year):
    add(alice_web, sku(catalog.mug))
    assert location(alice_web.post("/checkout/address/", ALICE_ADDRESS)) == "/checkout/delivery/"
    alice_web.post("/checkout/delivery/", {"shipping_method": "standard"})
    response = alice_web.post("/checkout/payment/",
                              {**CARD, "exp_month": month, "exp_year": year})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ensure this value" not in text
    assert "Enter a whole number" not in text
    if year == "99999":
        assert "Enter the year as four digits" in text
    else:
        assert "Enter the month as a number from 1 to 12." in text
    assert 'min="1"' in text
    assert 'max="12"' in text
