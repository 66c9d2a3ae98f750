"""An address is written the way its country's post expects (shop/core/addresses.py,
`address_lines`, the one place): the UK and Ireland put the town on its own line and the
postcode on the next; the US and Canada "City, ST 12345"; the rest of Europe "12345 City".
Checked on the rendered e-mails, the storefront's order and confirmation pages, the checkout
review and the dashboard's order page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from shop.core.addresses import address_lines
from shop.orders.models import Order
from tests.factories import staff_user
from tests.orders.test_guest_checkout_web import CARD, guest_buys, location, sku
from tests.support.api import api_client
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db

UK = {"name": "Gwen Guest", "line1": "221B Baker Street", "line2": "", "city": "London",
      "postal_code": "nw1 6xe", "country": "GB", "state": "", "phone": ""}
US = {"name": "Ursula User", "line1": "1 Main St", "line2": "Apt 4", "city": "Austin",
      "postal_code": "73301", "country": "US", "state": "tx", "phone": ""}
DE = {"name": "Dora Deutsch", "line1": "Unter den Linden 1", "line2": "", "city": "Berlin",
      "postal_code": "10117", "country": "DE", "state": "", "phone": ""}


@pytest.mark.parametrize(("country", "city", "state", "code", "expected"), [
    ("GB", "London", "", "NW1 6XE", ["London", "NW1 6XE", "United Kingdom"]),
    ("IE", "Dublin", "", "D02 X285", ["Dublin", "D02 X285", "Ireland"]),
    ("US", "Austin", "TX", "73301", ["Austin, TX 73301", "United States"]),
    ("CA", "Toronto", "ON", "M5V 2T6", ["Toronto, ON M5V 2T6", "Canada"]),
    ("DE", "Berlin", "", "10117", ["10117 Berlin", "Germany"]),
    ("FR", "Paris", "", "75001", ["75001 Paris", "France"]),
    ("NL", "Amsterdam", "", "1012 AB", ["1012 AB Amsterdam", "Netherlands"]),
    ("IT", "Roma", "RM", "00184", ["00184 Roma RM", "Italy"]),
])
def test_each_country_has_its_own_order_of_town_and_postcode(country, city, state, code,
                                                              expected):
    lines = address_lines({"name": "A Person", "line1": "1 Street", "line2": "", "city": city,
                           "state": state, "postal_code": code, "country": country})
    assert lines == ["A Person", "1 Street", *expected]


def test_an_order_and_a_saved_address_format_alike():
    order = Order(ship_name="Gwen", ship_line1="221B Baker Street", ship_line2="Flat 2",
                  ship_city="London", ship_postal_code="NW1 6XE", ship_country="GB")
    assert address_lines(order) == ["Gwen", "221B Baker Street", "Flat 2", "London",
                                    "NW1 6XE", "United Kingdom"]


def placed_order(client, catalog, address) -> tuple[str, str]:
    return guest_buys(client, catalog, address=address)


def test_the_uk_order_is_written_town_then_postcode_everywhere(catalog, client, roles):
    number, token = placed_order(client, catalog, UK)
    pages = {
        "order page": Client().post("/order/", {"number": number, "token": token}),
    }
    support = Client()
    support.force_login(staff_user("sam.support@example.com", "support"))
    pages["dashboard"] = support.get(f"/dashboard/orders/{number}/")
    for where, page in pages.items():
        assert page.status_code == 200, where
        html = page.content.decode()
        assert re.search(r"London<br>\s*NW1 6XE<br>\s*United Kingdom", html), where
        assert "NW1 6XE London" not in html, where
    manager = api_client(staff_user("max.manager@example.com", "manager"))
    assert manager.post(f"/api/v1/admin/orders/{number}/fulfil", {"carrier": "DHL"},
                        content_type="application/json").status_code == 200
    deliver_outbox()
    sent = [m for m in mail.outbox if number in m.subject]
    assert len(sent) == 2  # confirmation and shipped
    for message in sent:
        assert "London\nNW1 6XE\nUnited Kingdom" in message.body, message.subject
        assert "NW1 6XE London" not in message.body
        html = message.alternatives[0][0]
        assert re.search(r"London<br>\s*NW1 6XE<br>\s*United Kingdom", html), message.subject


def test_the_confirmation_and_review_pages_write_a_us_address_city_state_zip(catalog, client):
    assert client.post("/cart/add/", {"sku": sku(catalog.mug), "quantity": 1}).status_code == 302
    client.post("/checkout/guest/", {"email": "ursula@example.com"})
    assert location(client.post("/checkout/address/", US)) == "/checkout/delivery/"
    client.post("/checkout/delivery/", {"shipping_method": "standard"})
    client.post("/checkout/payment/", CARD)
    review = client.get("/checkout/review/").content.decode()
    assert re.search(r"Austin, TX 73301<br>\s*United States", review)
    fingerprint = re.search(r'name="cart" value="([0-9a-f]+)"', review).group(1)
    client.post("/checkout/place/", {"cart": fingerprint})
    confirmation = client.get("/checkout/guest/complete/").content.decode()
    assert re.search(r"Apt 4<br>\s*Austin, TX 73301<br>\s*United States", confirmation)


def test_a_german_order_keeps_postcode_then_city(catalog, client):
    number, _ = placed_order(client, catalog, DE)
    deliver_outbox()
    (message,) = [m for m in mail.outbox if number in m.subject]
    assert "Unter den Linden 1\n10117 Berlin\nGermany" in message.body


def test_what_a_shopper_typed_is_escaped_in_pages():
    from shop.core.templatetags.addresses import address_html

    html = address_html({"name": "<script>x</script>", "line1": "1 Street", "city": "Paris",
                         "postal_code": "75001", "country": "FR"})
    assert html == "&lt;script&gt;x&lt;/script&gt;<br>1 Street<br>75001 Paris<br>France"
