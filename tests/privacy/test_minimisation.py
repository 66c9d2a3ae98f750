"""Minimisation: no card number beyond its last four digits anywhere (database, sessions, the
cache, logs, security events, emails) after checkouts on the API and the storefront, paid and
declined; logs name accounts by id, never by email or name."""

import json
import re

from django.core import mail
from django.test import Client

from shop.monitoring.models import SecurityEvent
from shop.orders.models import Order
from tests.factories import ALICE_ADDRESS, DECLINED_CARD, GOOD_CARD, checkout_body, create_user
from tests.support.outbox import deliver_outbox

from .conftest import PASSWORD, api_call, fresh_ip
from .support import cache_text, database_text, log_file

FULL_NUMBERS = ("4242424242424242", "4000000000000002")


def card_patterns() -> list[re.Pattern]:
    """Each full number, with or without spaces or dashes between the digits."""
    return [re.compile(r"[ -]?".join(number)) for number in FULL_NUMBERS]


def test_no_card_number_is_kept_anywhere(client, catalog, tmp_path):
    shopper = create_user("card.holder@example.com", PASSWORD, name="Cora Holder")
    sku = catalog.mug.variants.first().sku
    with log_file(tmp_path / "app.log") as log_path:
        token = api_call(client, "POST", "/api/v1/auth/token",
                         {"email": shopper.email, "password": PASSWORD}).json()["access"]
        for card, expected in ((DECLINED_CARD, 402), (GOOD_CARD, 201)):
            api_call(client, "POST", "/api/v1/cart/items", {"sku": sku, "quantity": 1},
                     token=token)
            response = client.generic(
                "POST", "/api/v1/checkout", json.dumps(checkout_body(card=card)),
                content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                REMOTE_ADDR=fresh_ip())
            assert response.status_code == expected, response.content
            for pattern in card_patterns():
                assert not pattern.search(response.content.decode())

        browser = Client(REMOTE_ADDR=fresh_ip())
        browser.force_login(shopper)
        browser.post("/cart/add/", {"sku": sku, "quantity": 1})
        browser.post("/checkout/address/", ALICE_ADDRESS)
        browser.post("/checkout/delivery/", {"shipping_method": "standard"})
        browser.post("/checkout/payment/", {"card_number": GOOD_CARD, "exp_month": 12,
                                            "exp_year": 2099, "cvc": "123"})
        review = browser.get("/checkout/review/").content.decode()
        fingerprint = re.search(r'name="cart" value="([0-9a-f]+)"', review).group(1)
        assert browser.post("/checkout/place/", {"cart": fingerprint}).status_code == 302
        # a malformed number is refused without being echoed or logged
        api_call(client, "POST", "/api/v1/cart/items", {"sku": sku, "quantity": 1}, token=token)
        client.generic("POST", "/api/v1/checkout",
                       json.dumps(checkout_body(card="4242 4242 4242 4241")),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                       REMOTE_ADDR=fresh_ip())

    assert Order.objects.filter(user=shopper).count() == 2
    assert set(Order.objects.values_list("payment_last4", flat=True)) == {"4242"}
    deliver_outbox()
    mails = "\n".join(
        m.body + "".join(str(alt[0]) for alt in getattr(m, "alternatives", []))
        for m in mail.outbox
    )
    assert "4242" in mails  # the confirmation names the last four digits...
    stores = {
        "database": database_text(),
        "cache": cache_text(),
        "log": log_path.read_text(encoding="utf-8"),
        "security events": json.dumps(list(SecurityEvent.objects.values()), default=str),
        "emails": mails,
    }
    for where, text in stores.items():
        for pattern in [*card_patterns(), re.compile("4242[ -]?4242[ -]?4242[ -]?4241")]:
            assert not pattern.search(text), f"a card number is in the {where}"
    # ...and logs name the shopper by id only
    assert shopper.email not in stores["log"]
    assert "Cora Holder" not in stores["log"]
    assert f'"user_id": {shopper.pk}' in stores["log"]
