"""Guest checkout through the API (docs/contract.md §4.1): POST /api/v1/guest/checkout and
GET /api/v1/guest/orders/{number} with X-Order-Token. The same rules as the shopper's
checkout (402/409/422, idempotency, money recorded before the gateway, the outbox e-mail),
and the same leak and enumeration guarantees as a signed-in order."""

import re

import pytest
from django.core import mail
from django.test import Client

from shop.catalog.models import Variant
from shop.monitoring.models import Alert
from shop.orders.models import GuestOrder, IdempotencyKey, Order, Payment
from tests.factories import DECLINED_CARD, GOOD_CARD, checkout_body, order_number
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db

GUEST = "gwen.guest@example.com"
UK_ADDRESS = {"name": "Gwen Guest", "line1": "221B Baker Street", "line2": "",
              "city": "London", "postal_code": "NW1 6XE", "country": "GB"}
REQUEST_ID = re.compile(rb'"request_id":\s*"[0-9a-f]+"')


def sku(product, index=0) -> str:
    return list(product.variants.order_by("position", "pk"))[index].sku


def body(catalog, *, email=GUEST, address=None, card=GOOD_CARD, items=None, **extra) -> dict:
    return {
        "email": email,
        "items": items if items is not None else [{"sku": sku(catalog.mug), "quantity": 2}],
        "shipping_address": dict(address or UK_ADDRESS),
        "shipping_method": "standard",
        "payment": {"card_number": card, "exp_month": 12, "exp_year": 2099, "cvc": "123"},
        **extra,
    }


def place(client, payload, **headers):
    return client.post("/api/v1/guest/checkout", payload, content_type="application/json",
                       **headers)


def lookup(client, number, token=None):
    headers = {"HTTP_X_ORDER_TOKEN": token} if token is not None else {}
    return client.get(f"/api/v1/guest/orders/{number}", **headers)


def without_request_id(response) -> tuple:
    return (response.status_code, response["Content-Type"], response["Cache-Control"],
            REQUEST_ID.sub(b"", response.content))


def test_a_guest_order_answers_201_with_its_token_and_opens_with_it(catalog, client):
    response = place(client, body(catalog, total="0.01", user=1, status="refunded"))
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "private, no-store"
    order = response.json()
    token = order["order_token"]
    assert len(token) >= 40
    assert order["status"] == "paid"
    assert order["email"] == GUEST
    assert order["subtotal"] == "29.00"
    assert order["total"] == "33.95"
    assert order["shipping_address"]["postal_code"] == "NW1 6XE"
    row = Order.objects.get(number=order["number"])
    assert row.user_id is None
    assert row.email == GUEST
    # the token is not stored, only its hash
    guest = GuestOrder.objects.get(order=row)
    assert token not in (guest.token_hash, guest.nonce)
    assert Payment.objects.get(order=row).status == Payment.Status.CAPTURED

    opened = lookup(Client(), order["number"], token)
    assert opened.status_code == 200, opened.content
    assert opened["Cache-Control"] == "private, no-store"
    assert opened.json()["number"] == order["number"]
    assert "order_token" not in opened.json()


def test_a_wrong_or_missing_token_is_the_same_404_as_a_missing_number(catalog, client):
    order = place(client, body(catalog)).json()
    other = Client()
    missing = lookup(other, order_number(), order["order_token"])
    wrong = lookup(other, order["number"], "x" * 43)
    none = lookup(other, order["number"])
    empty = lookup(other, order["number"], "")
    malformed = lookup(other, "not-a-number", order["order_token"])
    assert missing.status_code == 404
    assert {without_request_id(r) for r in (missing, wrong, none, empty, malformed)} == {
        without_request_id(missing)}
    assert GUEST not in wrong.content.decode()
    # one character off: the same 404
    token = order["order_token"]
    off_by_one = token[:-1] + ("B" if token.endswith("A") else "A")
    assert without_request_id(lookup(other, order["number"], off_by_one)) == (
        without_request_id(missing))


def test_signed_in_orders_never_open_with_a_guest_token(catalog, client, alice_api):
    alice_api.post("/api/v1/cart/items", {"sku": sku(catalog.mug), "quantity": 1},
                   content_type="application/json")

    alices = alice_api.post("/api/v1/checkout", checkout_body(),
                            content_type="application/json").json()["number"]
    token = place(client, body(catalog)).json()["order_token"]
    assert lookup(client, alices, token).status_code == 404


def test_declined_sold_out_and_invalid_answer_like_checkout(catalog, client):
    mug = Variant.objects.get(sku=sku(catalog.mug))
    stock = mug.stock
    declined = place(client, body(catalog, card=DECLINED_CARD))
    assert declined.status_code == 402
    assert declined.json()["error"]["code"] == "payment_declined"
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    mug.refresh_from_db()
    assert mug.stock == stock

    too_many = place(client, body(catalog, items=[{"sku": mug.sku, "quantity": stock + 1}]))
    assert too_many.status_code == 409, too_many.content
    assert too_many.json()["error"]["code"] == "out_of_stock"

    # as /checkout: a value the schema refuses is a 422, a value the shop's rules refuse
    # (an address, like /checkout's) a 400 naming the rule; never a half-written order
    for payload, status, code in [
        (body(catalog, email="not-an-address"), 400, "invalid_email"),
        (body(catalog, items=[{"sku": "NO-SUCH-SKU", "quantity": 1}]), 400, "unknown_sku"),
        (body(catalog, address={**UK_ADDRESS, "postal_code": "12345"}), 400,
         "invalid_address"),
        (body(catalog, address={**UK_ADDRESS, "country": "JP"}), 400, "invalid_country"),
        (body(catalog, items=[]), 422, "invalid_input"),
        (body(catalog, items=[{"sku": mug.sku, "quantity": 0}]), 422, "invalid_input"),
        (body(catalog, payment={"card_number": GOOD_CARD, "exp_month": 13,
                                "exp_year": 2099, "cvc": "123"}), 422, "invalid_input"),
    ]:
        response = place(client, payload)
        assert response.status_code == status, (code, response.content)
        assert response.json()["error"]["code"] == code
    assert not Order.objects.exists()


def test_the_same_idempotency_key_returns_the_same_order_and_token(catalog, client):
    first = place(client, body(catalog), HTTP_IDEMPOTENCY_KEY="guest-key-1")
    again = place(Client(), body(catalog), HTTP_IDEMPOTENCY_KEY="guest-key-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["order_token"] == first.json()["order_token"]
    assert Order.objects.count() == 1
    # the same key with another request: refused; the same key for another e-mail: its own
    changed = place(client, body(catalog, address={**UK_ADDRESS, "line1": "1 Other Road"}),
                    HTTP_IDEMPOTENCY_KEY="guest-key-1")
    assert changed.status_code == 422
    assert changed.json()["error"]["code"] == "idempotency_key_reused"
    theirs = place(client, body(catalog, email="someone.else@example.com"),
                   HTTP_IDEMPOTENCY_KEY="guest-key-1")
    assert theirs.status_code == 201
    assert theirs.json()["number"] != first.json()["number"]
    assert IdempotencyKey.objects.filter(user=None).count() == 2


def test_the_confirmation_email_carries_the_link_with_the_token_in_its_fragment(
        catalog, client):
    order = place(client, body(catalog)).json()
    assert deliver_outbox() >= 1
    (message,) = [m for m in mail.outbox if order["number"] in m.subject]
    assert message.to == [GUEST]
    text = message.body
    link = f"/order/#{order['number']}.{order['order_token']}"
    assert link in text
    assert "?" not in text.split(link)[0].rsplit("\n", 1)[-1]  # no query string before it
    html = message.alternatives[0][0]
    assert link in html


def test_guest_checkout_is_throttled_per_email_and_per_address(catalog, client, settings):
    settings.ACCOUNTS_THROTTLE_RATES = {**settings.ACCOUNTS_THROTTLE_RATES,
                                        "guest_checkout": {"account": "2/h", "ip": "4/h"},
                                        "guest_order": {"ip": "3/h"}}
    assert place(client, body(catalog)).status_code == 201
    assert place(client, body(catalog)).status_code == 201
    third = place(client, body(catalog))
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    assert third.json()["error"]["code"] == "throttled"
    assert place(client, body(catalog, email="two@example.com")).status_code == 201
    # the address's cap (4 attempts, the refused one included) holds for any e-mail
    assert place(client, body(catalog, email="three@example.com")).status_code == 429
    assert Order.objects.count() == 3
    number = Order.objects.first().number
    statuses = [lookup(client, number, "y" * 43).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_wrong_tokens_count_towards_the_enumeration_alert(catalog, client):
    order = place(client, body(catalog)).json()
    for _ in range(25):
        assert lookup(client, order["number"], "z" * 43).status_code == 404
    alert = Alert.objects.get(rule="object_enumeration", subject="address 127.0.0.1")
    assert alert.severity == "high"
    # the right token still opens the order (the alert blocks nobody)
    assert lookup(client, order["number"], order["order_token"]).status_code == 200


def test_a_guest_order_shows_in_no_account_and_in_the_staff_list(catalog, client, alice_api):
    order = place(client, body(catalog, email="alice@example.com")).json()
    # the same address as Alice's account: still not hers until she proves the mailbox
    assert alice_api.get("/api/v1/orders").json()["items"] == []
    assert alice_api.get(f"/api/v1/orders/{order['number']}").status_code == 404


def test_a_state_is_required_in_the_us_and_kept_with_the_order(catalog, client):
    us = {"name": "Sam Guest", "line1": "1 Market St", "line2": "", "city": "San Francisco",
          "postal_code": "94105", "country": "US", "phone": "+1 415 555 0100"}
    missing_state = place(client, body(catalog, address=us))
    assert missing_state.status_code == 400
    assert "state" in missing_state.json()["error"]["message"]
    placed = place(client, body(catalog, address={**us, "state": "ca"}))
    assert placed.status_code == 201, placed.content
    address = placed.json()["shipping_address"]
    assert address["state"] == "CA"
    assert address["phone"] == "+1 415 555 0100"
