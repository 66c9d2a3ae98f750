"""A guest pays on the payment provider's hosted page (Stripe Checkout, against the local fake
of tests/support/stripe_fake.py).

The order is recorded before the guest is sent to the provider, as for a signed-in shopper;
the return, the webhook or the reconciliation job settle it (paid, not charged, abandoned),
whichever comes first, once. The guest lands on the confirmation that shows the order token
once; the token is never in a URL that reaches a server (neither the provider's return URLs
nor any page the guest is sent to). A return in another browser settles the order and shows a
page that names nobody ("we e-mailed you the link").
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client

from shop.orders.guest_tokens import order_token_of
from shop.orders.models import GuestOrder, Order, OrderStatus, Payment
from shop.orders.reconcile import payments_reconcile
from tests.orders.test_stripe import deliver, stock
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db(transaction=True)

GUEST = "gwen.guest@example.com"
UK = {"name": "Gwen Guest", "line1": "221B Baker Street", "line2": "", "city": "London",
      "postal_code": "NW1 6XE", "country": "GB", "state": "", "phone": ""}
TOKEN = re.compile(r'data-testid="order-token">([A-Za-z0-9_-]+)<')


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def guest_to_provider(client: Client, provider) -> tuple[Order, dict]:
    """A guest fills the cart, checks out with the hosted provider and is sent to its page;
    (the order, the provider's session)."""
    assert client.post("/cart/add/", {"sku": "MUG-1", "quantity": 2}).status_code == 302
    assert client.post("/checkout/guest/", {"email": GUEST})["Location"] == "/checkout/address/"
    assert client.post("/checkout/address/", UK)["Location"] == "/checkout/delivery/"
    client.post("/checkout/delivery/", {"shipping_method": "standard"})
    payment_page = client.get("/checkout/payment/").content.decode()
    assert 'name="card_number"' not in payment_page
    assert client.post("/checkout/payment/", {})["Location"] == "/checkout/review/"
    review = client.get("/checkout/review/").content.decode()
    fingerprint = re.search(r'name="cart" value="([0-9a-f]+)"', review).group(1)
    response = client.post("/checkout/place/", {"cart": fingerprint})
    assert response.status_code == 302, response.content[:400]
    session_id = response["Location"].rsplit("/", 1)[1]
    assert response["Location"] == f"{provider.url}/pay/{session_id}"
    order = Order.objects.get()
    return order, provider.sessions[session_id]


def confirmation_emails(number: str) -> list:
    deliver_outbox()
    return [m for m in mail.outbox if number in m.subject and "confirmed" in m.subject]


def test_a_guest_order_is_recorded_before_the_hosted_page_and_no_url_carries_the_token(
    stripe_shop, client
):
    order, session = guest_to_provider(client, stripe_shop)
    assert (order.status, order.user_id, order.email) == (
        OrderStatus.PENDING_PAYMENT, None, GUEST)
    assert (session["amount_total"], session["customer_email"]) == (3395, GUEST)
    guest = GuestOrder.objects.get(order=order)
    token = order_token_of(guest)
    payment = Payment.objects.get()
    assert (payment.status, payment.provider_id) == ("charging", session["id"])
    assert stock() == 28  # taken when the order was recorded
    for url in (session["success_url"], session["cancel_url"]):
        assert token not in url
        assert guest.token_hash not in url
        assert guest.nonce not in url
    assert confirmation_emails(order.number) == []  # not paid yet


def test_a_guest_pays_on_the_hosted_page_and_sees_the_token_once(stripe_shop, client):
    order, session = guest_to_provider(client, stripe_shop)
    stripe_shop.pay_session(session["id"])
    back = client.get(path_of(session["success_url"]))
    assert back.status_code == 302
    assert back["Location"] == "/checkout/guest/complete/"
    page = client.get("/checkout/guest/complete/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    token = TOKEN.search(page.content.decode()).group(1)
    assert token == order_token_of(GuestOrder.objects.get(order=order))
    assert client.get("/checkout/guest/complete/")["Location"] == "/order/"  # once
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get().reference == session["payment_intent"]
    assert "Check out as guest" not in client.get("/cart/").content.decode()  # cart emptied
    (email,) = confirmation_emails(order.number)
    assert email.to == [GUEST]
    assert f"/order/#{order.number}.{token}" in email.body
    assert "Paid by card on our payment provider's page." in email.body  # no card details
    shown = Client().post("/order/", {"number": order.number, "token": token})
    assert shown.status_code == 200
    assert "Baker Street" in shown.content.decode()
    assert "Not paid" not in shown.content.decode()


def test_the_webhook_before_the_guest_is_back_leaves_one_paid_order(stripe_shop, client):
    order, session = guest_to_provider(client, stripe_shop)
    stripe_shop.pay_session(session["id"])
    payload, signature = stripe_shop.signed_event("checkout.session.completed", session)
    assert deliver(payload, signature).status_code == 200
    assert deliver(payload, signature).status_code == 200  # delivered twice: applied once
    assert Order.objects.get().status == OrderStatus.PAID
    back = client.get(path_of(session["success_url"]))
    assert back["Location"] == "/checkout/guest/complete/"
    assert TOKEN.search(client.get("/checkout/guest/complete/").content.decode())
    assert Payment.objects.filter(status="captured").count() == 1
    assert [e.kind for e in Order.objects.get().events.all()] == ["placed", "paid"]
    assert len(confirmation_emails(order.number)) == 1
    assert stock() == 28


def test_the_guest_back_before_the_webhook_leaves_one_paid_order(stripe_shop, client):
    order, session = guest_to_provider(client, stripe_shop)
    stripe_shop.pay_session(session["id"])
    assert client.get(path_of(session["success_url"]))["Location"] == (
        "/checkout/guest/complete/")
    payload, signature = stripe_shop.signed_event("checkout.session.completed", session)
    assert deliver(payload, signature).status_code == 200
    intent = stripe_shop.intents[session["payment_intent"]]
    payload, signature = stripe_shop.signed_event("payment_intent.succeeded", intent)
    assert deliver(payload, signature).status_code == 200
    assert Payment.objects.filter(status="captured").count() == 1
    assert [e.kind for e in Order.objects.get().events.all()] == ["placed", "paid"]
    assert len(confirmation_emails(order.number)) == 1


def test_before_the_provider_confirms_the_guest_waits_on_a_page_without_the_token(
    stripe_shop, client
):
    _order, session = guest_to_provider(client, stripe_shop)
    waiting = client.get(path_of(session["success_url"]))  # not paid (yet)
    assert waiting.status_code == 200
    assert "Confirming your payment" in waiting.content.decode()
    assert not TOKEN.search(waiting.content.decode())
    stripe_shop.pay_session(session["id"])
    assert client.get(path_of(session["success_url"]))["Location"] == (
        "/checkout/guest/complete/")


def test_a_return_in_another_browser_settles_and_shows_only_that_we_emailed_the_link(
    stripe_shop, client
):
    order, session = guest_to_provider(client, stripe_shop)
    stripe_shop.pay_session(session["id"])
    other = Client()
    page = other.get(path_of(session["success_url"]))
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    text = page.content.decode()
    assert "e-mailed" in text
    token = order_token_of(GuestOrder.objects.get(order=order))
    for secret in (token, GUEST, "Baker Street", "Gwen"):
        assert secret not in text
    assert Order.objects.get().status == OrderStatus.PAID  # the return settled it
    assert other.get("/checkout/guest/complete/")["Location"] == "/order/"
    assert len(confirmation_emails(order.number)) == 1
    # the browser that started the checkout still gets its confirmation
    assert client.get(path_of(session["success_url"]))["Location"] == (
        "/checkout/guest/complete/")


def test_a_forged_return_link_changes_nothing_and_names_nobody(stripe_shop, client):
    _order, session = guest_to_provider(client, stripe_shop)
    stripe_shop.pay_session(session["id"])
    forged = path_of(session["success_url"]).split("?")[0] + "?t=forged"
    for browser in (client, Client()):
        page = browser.get(forged)
        assert page.status_code == 404  # the same for any number, real or not
        assert "Baker Street" not in page.content.decode()
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    cancel = path_of(session["cancel_url"]).split("?")[0] + "?t=forged"
    client.get(cancel)
    assert session["status"] == "complete"
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT


def test_leaving_the_hosted_page_gives_the_guest_cart_back(stripe_shop, client):
    _order, session = guest_to_provider(client, stripe_shop)
    # another browser cannot cancel it
    Client().get(path_of(session["cancel_url"]))
    assert session["status"] == "open"
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    back = client.get(path_of(session["cancel_url"]))
    assert back["Location"] == "/checkout/payment/"
    assert session["status"] == "expired"
    assert not Order.objects.exists()  # as for a shopper: nothing left behind
    assert not GuestOrder.objects.exists()
    assert stock() == 30
    assert "Stoneware Mug" in client.get("/cart/").content.decode()
    # and the guest can pay again
    assert client.post("/checkout/payment/", {})["Location"] == "/checkout/review/"


def test_an_abandoned_hosted_guest_payment_releases_the_stock(stripe_shop, client):
    order, session = guest_to_provider(client, stripe_shop)
    payments_reconcile(older_than=dt.timedelta(0))  # still on the page: left alone
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    session["expires_at"] = int(dt.datetime.now().timestamp()) - 1
    payments_reconcile(older_than=dt.timedelta(0))
    assert session["status"] == "expired"
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Payment.objects.get().status == "failed"
    assert stock() == 30
    payments_reconcile(older_than=dt.timedelta(0))  # again: nothing more
    assert stock() == 30
    deliver_outbox()
    assert [m.subject for m in mail.outbox if order.number in m.subject] == [
        f"Your Buy_From_Me order {order.number} was not completed"]
    # the guest comes back after all: told, no token
    back = client.get(path_of(session["success_url"]))
    assert back["Location"] == "/cart/"
    assert not TOKEN.search(client.get("/checkout/guest/complete/").content.decode())


def test_an_expired_session_webhook_releases_a_guest_order(stripe_shop, client):
    _order, session = guest_to_provider(client, stripe_shop)
    session["status"] = "expired"
    payload, signature = stripe_shop.signed_event("checkout.session.expired", session)
    assert deliver(payload, signature).status_code == 200
    assert Order.objects.get().status == OrderStatus.CANCELLED
    assert stock() == 30
