"""A guest erases the personal data of their order (number + order token), on the order page
(two POSTs: ask, then confirm) and with `DELETE /api/v1/guest/orders/{number}`.

Like an account's erasure: refused while the order is open (paid but not shipped, waiting for
payment, money in flight), then name, address and e-mail replaced (totals, lines and dates
kept), an audit event, the token dead (the same 404 as a wrong one), and one confirmation
e-mail to the old address through the outbox, which then forgets the address too."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from shop.monitoring.models import AuditEvent
from shop.orders.models import GuestOrder, IdempotencyKey, Order
from shop.privacy.services import ORDER_PLACEHOLDER, ORDER_PLACEHOLDER_NAME
from tests.factories import staff_user
from tests.orders.test_guest_checkout_api import body, lookup, place
from tests.orders.test_guest_checkout_web import GUEST, guest_buys
from tests.support.api import api_client
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db

PERSONAL = ("gwen.guest@example.com", "Gwen Guest", "Baker Street", "NW1 6XE")


@pytest.fixture(autouse=True)
def _shop(shipping_methods, roles):
    return shipping_methods


def ship(number: str) -> None:
    manager = api_client(staff_user("max.manager@example.com", "manager"))
    response = manager.post(f"/api/v1/admin/orders/{number}/fulfil",
                            {"carrier": "DHL", "tracking_number": "JD0001"},
                            content_type="application/json")
    assert response.status_code == 200, response.content


def erase_web(client: Client, number: str, token: str, *, confirm: bool):
    data = {"number": number, "token": token}
    if confirm:
        data["confirm"] = "yes"
    return client.post("/order/erase/", data)


def assert_anonymised(number: str, total: Decimal) -> None:
    order = Order.objects.get(number=number)
    assert (order.email, order.ship_name, order.ship_line1, order.ship_city,
            order.ship_postal_code, order.ship_phone) == (
        "", ORDER_PLACEHOLDER_NAME, ORDER_PLACEHOLDER, ORDER_PLACEHOLDER, ORDER_PLACEHOLDER, "")
    assert order.ship_country == "GB"  # kept: tax
    assert order.total == total  # the books keep the money, lines and dates
    assert order.lines.count() == 1
    assert order.status == "fulfilled"


def test_a_guest_deletes_their_details_on_the_order_page_in_two_steps(catalog, client):
    number, token = guest_buys(client, catalog)
    ship(number)
    total = Order.objects.get(number=number).total
    page = Client().post("/order/", {"number": number, "token": token}).content.decode()
    assert "Delete my details" in page
    stranger = Client()
    ask = erase_web(stranger, number, token, confirm=False)
    assert ask.status_code == 200
    assert ask["Cache-Control"] == "private, no-store"
    assert "Yes, delete my details" in ask.content.decode()
    assert Order.objects.get(number=number).email == GUEST  # asking changes nothing
    mail.outbox.clear()
    done = erase_web(stranger, number, token, confirm=True)
    assert done.status_code == 200
    text = done.content.decode()
    assert "deleted" in text
    for personal in PERSONAL:
        assert personal not in text
    assert_anonymised(number, total)
    event = AuditEvent.objects.get(action="guest_order.erase")
    assert (event.object_type, event.object_id, event.actor_role, event.via) == (
        "order", number, "guest", "web")
    assert GUEST not in json.dumps(event.details)
    # the token is dead: the same 404 as a wrong one
    again = Client().post("/order/", {"number": number, "token": token})
    wrong = Client().post("/order/", {"number": number, "token": "w" * 43})
    assert again.status_code == wrong.status_code == 404
    assert erase_web(Client(), number, token, confirm=True).status_code == 404
    # one confirmation, to the old address, through the outbox; then the address is gone
    assert not mail.outbox  # not sent inside the request
    deliver_outbox()
    (message,) = [m for m in mail.outbox if "deleted" in m.subject]
    assert message.to == [GUEST]
    assert number in message.body
    assert not any(GUEST in json.dumps(row.args_kwargs) for row in DBTaskResult.objects.all()
                   if "erase" in row.task_path)
    assert not Order.objects.filter(email=GUEST).exists()
    assert not IdempotencyKey.objects.filter(order__number=number).exists()
    guest = GuestOrder.objects.get(order__number=number)
    assert guest.nonce == ""


def test_an_open_order_is_not_erased_and_says_why(catalog, client):
    number, token = guest_buys(client, catalog)  # paid, not shipped
    for confirm in (False, True):
        answer = erase_web(Client(), number, token, confirm=confirm)
        assert answer.status_code == 409
        assert "has not shipped yet" in answer.content.decode()
    assert Order.objects.get(number=number).email == GUEST
    assert not AuditEvent.objects.filter(action="guest_order.erase").exists()
    assert Client().post("/order/", {"number": number, "token": token}).status_code == 200


def test_a_wrong_token_erases_nothing_and_is_the_same_404(catalog, client):
    number, token = guest_buys(client, catalog)
    ship(number)
    answers = [erase_web(Client(), number, "w" * 43, confirm=True),
               erase_web(Client(), "BFM-2222222222", token, confirm=True),
               erase_web(Client(), number, "", confirm=False)]
    assert {a.status_code for a in answers} == {404}
    bodies = {re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", a.content.decode())
              for a in answers}
    assert len(bodies) == 1
    assert Order.objects.get(number=number).email == GUEST


def test_the_api_erases_a_guest_order_with_its_token(catalog, client):
    placed = place(client, body(catalog)).json()
    number, token = placed["number"], placed["order_token"]
    headers = {"HTTP_X_ORDER_TOKEN": token}
    refused = client.delete(f"/api/v1/guest/orders/{number}", **headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "orders_open"
    ship(number)
    wrong = client.delete(f"/api/v1/guest/orders/{number}", HTTP_X_ORDER_TOKEN="w" * 43)
    missing = client.delete("/api/v1/guest/orders/BFM-2222222222", **headers)
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json()["error"]["message"] == missing.json()["error"]["message"]
    assert wrong.json()["error"]["code"] == missing.json()["error"]["code"]
    mail.outbox.clear()
    erased = client.delete(f"/api/v1/guest/orders/{number}", **headers)
    assert erased.status_code == 204
    assert erased["Cache-Control"] == "private, no-store"
    assert Order.objects.get(number=number).email == ""
    assert lookup(client, number, token).status_code == 404
    assert client.delete(f"/api/v1/guest/orders/{number}", **headers).status_code == 404
    assert AuditEvent.objects.get(action="guest_order.erase").via == "api"
    deliver_outbox()
    assert [m.to for m in mail.outbox if "deleted" in m.subject] == [[placed["email"]]]


def test_api_erasure_is_throttled_like_lookups(catalog, client, settings):
    settings.ACCOUNTS_THROTTLE_RATES = {**settings.ACCOUNTS_THROTTLE_RATES,
                                        "guest_order": {"ip": "2/10m"}}
    answers = [client.delete("/api/v1/guest/orders/BFM-2222222222",
                             HTTP_X_ORDER_TOKEN="w" * 43).status_code for _ in range(3)]
    assert answers == [404, 404, 429]
