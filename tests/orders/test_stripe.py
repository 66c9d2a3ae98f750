"""Stripe, through the `stripe` package, against a local fake of its API on loopback (no
network; tests/support/stripe_fake.py) and webhooks signed the way Stripe signs them.

- API checkout with a payment method from Stripe's SDK: one charge per attempt key, even when
  the answer is lost and the package retries; card numbers never accepted; declines.
- Webhooks: a forged or stale signature is a 400 and changes nothing; the same event twice is
  applied once; the webhook that overtakes the shop's own answer leaves one paid order.
- Refunds (staff API) with Stripe's idempotency keys; a refund made in Stripe's dashboard
  is recorded from its webhook.
- Reconciliation asks Stripe about an attempt whose process died: an unconfirmed intent is
  cancelled there first, a succeeded one makes the order paid.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from decimal import Decimal

import pytest
from django.test import Client

from shop.catalog.models import Variant
from shop.orders.models import Order, OrderStatus, Payment, ProviderEvent, Refund
from shop.orders.reconcile import payments_reconcile
from tests.factories import ALICE_ADDRESS, staff_user
from tests.orders.conftest import STRIPE
from tests.support.api import api_client

pytestmark = pytest.mark.django_db(transaction=True)


def pay_body(payment_method: str = "pm_card_visa") -> dict:
    return {"shipping_address": dict(ALICE_ADDRESS), "shipping_method": "standard",
            "payment": {"payment_method": payment_method}}


def checkout(client: Client, body: dict | None = None, **headers):
    client.post("/api/v1/cart/items", {"sku": "MUG-1", "quantity": 2},
                content_type="application/json")
    return client.post("/api/v1/checkout", body or pay_body(), content_type="application/json",
                       **headers)


def deliver(payload: bytes, signature: str):
    return Client().post("/webhooks/stripe", payload, content_type="application/json",
                         HTTP_STRIPE_SIGNATURE=signature)


def stock() -> int:
    return Variant.objects.get(sku="MUG-1").stock


def test_a_payment_method_from_stripes_sdk_pays_the_order(stripe_shop, alice):
    response = checkout(api_client(alice))
    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["status"], order["total"]) == ("paid", "33.95")
    assert order["payment"] == {"brand": "visa", "last4": "4242"}
    payment = Payment.objects.get(order__number=order["number"])
    intent = stripe_shop.intents[payment.reference]
    assert (intent["status"], intent["amount"], intent["currency"]) == ("succeeded", 3395, "eur")
    assert intent["metadata"] == {"order": order["number"], "attempt": payment.idempotency_key}
    assert payment.provider_id == payment.reference  # recorded before it was confirmed
    assert stock() == 28


def test_card_numbers_are_never_taken_with_stripe(stripe_shop, alice):
    calls = len(stripe_shop.calls)
    body = pay_body()
    body["payment"] = {"card_number": "4242 4242 4242 4242", "exp_month": 12,
                       "exp_year": 2099, "cvc": "123"}
    response = checkout(api_client(alice), body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "card_number_not_accepted"
    assert len(stripe_shop.calls) == calls  # nothing reached Stripe
    assert not Order.objects.exists()


def test_a_declined_card_leaves_nothing(stripe_shop, alice):
    response = checkout(api_client(alice), pay_body("pm_card_chargeDeclined"))
    assert response.status_code == 402
    assert not Order.objects.exists()
    assert stock() == 30
    assert not [i for i in stripe_shop.intents.values() if i["status"] == "succeeded"]


def test_a_card_that_needs_3d_secure_is_sent_to_the_hosted_page(stripe_shop, alice):
    response = checkout(api_client(alice), pay_body("pm_card_authenticationRequired"))
    assert response.status_code == 402
    assert "secure payment page" in response.json()["error"]["message"]
    intent = next(iter(i for i in stripe_shop.intents.values()
                       if i["payment_method"] == "pm_card_authenticationRequired"))
    assert intent["status"] == "canceled"
    assert stock() == 30


def test_a_lost_answer_is_retried_with_the_same_key_and_charges_once(stripe_shop, alice):
    stripe_shop.drop_answer_once(r"/v1/payment_intents/[^/]+/confirm")
    response = checkout(api_client(alice))
    assert response.status_code == 201, response.content
    confirms = [c for c in stripe_shop.calls if c[1].endswith("/confirm")]
    assert len(confirms) == 2  # the package retried...
    assert len([i for i in stripe_shop.intents.values() if i["status"] == "succeeded"]) == 1


def test_stripe_down_means_nothing_charged_and_the_cart_back(stripe_shop, alice):
    stripe_shop.down = True
    client = api_client(alice)
    response = checkout(client)
    assert response.status_code == 503
    assert not Order.objects.exists()
    assert stock() == 30
    assert client.get("/api/v1/cart").json()["item_count"] == 2


# --- webhooks


def test_a_forged_or_stale_signature_is_refused_and_changes_nothing(stripe_shop, alice):
    response = checkout(api_client(alice))
    payment = Payment.objects.get()
    intent = stripe_shop.intents[payment.reference]
    payload, _ = stripe_shop.signed_event("refund.created", {
        "id": "re_forged", "object": "refund", "amount": 3395, "currency": "eur",
        "payment_intent": intent["id"], "status": "succeeded", "metadata": {}})
    forged = stripe_shop.sign(payload, secret="whsec_not_the_shops")
    assert deliver(payload, forged).status_code == 400
    tampered = payload.replace(b'"amount": 3395', b'"amount": 3300')
    assert deliver(tampered, stripe_shop.sign(payload)).status_code == 400
    stale_payload, stale = stripe_shop.signed_event(
        "refund.created", json.loads(payload)["data"]["object"],
        at=int(dt.datetime.now().timestamp()) - 3600)
    assert deliver(stale_payload, stale).status_code == 400
    assert deliver(payload, "").status_code == 400
    assert deliver(b"not json", stripe_shop.sign(b"not json")).status_code == 400
    order = Order.objects.get(number=response.json()["number"])
    assert (order.status, order.amount_refunded) == (OrderStatus.PAID, Decimal("0.00"))
    assert not Refund.objects.exists()
    assert not ProviderEvent.objects.exists()


def test_the_webhook_before_the_shops_own_answer_leaves_one_paid_order(stripe_shop, alice):
    """Stripe's `payment_intent.succeeded` arrives (and is processed) while the shop is still
    waiting for the answer of its own confirm call."""
    answers = []

    def webhook_first():
        intent = next(i for i in stripe_shop.intents.values() if i["status"] == "succeeded")
        payload, signature = stripe_shop.signed_event("payment_intent.succeeded", intent)
        thread = threading.Thread(target=lambda: answers.append(deliver(payload, signature)))
        thread.start()
        thread.join()

    stripe_shop.before_answer[r"/v1/payment_intents/[^/]+/confirm"] = webhook_first
    response = checkout(api_client(alice))
    assert answers[0].status_code == 200
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.filter(status="captured").count() == 1
    assert [e.kind for e in order.events.all()] == ["placed", "paid"]  # paid once
    assert stock() == 28


def test_the_same_event_twice_is_applied_once(stripe_shop, alice, roles):
    response = checkout(api_client(alice))
    number = response.json()["number"]
    payment = Payment.objects.get()
    refund = stripe_shop.refund_in_dashboard(payment.reference, 500)
    payload, signature = stripe_shop.signed_event("refund.created", refund, event_id="evt_1")
    assert deliver(payload, signature).status_code == 200
    assert deliver(payload, signature).status_code == 200  # delivered again
    order = Order.objects.get(number=number)
    assert order.amount_refunded == Decimal("5.00")
    assert Refund.objects.get().reason == "refunded at the payment provider"
    # the same refund again under another event id (refund.updated): still once
    payload, signature = stripe_shop.signed_event("refund.updated", refund, event_id="evt_2")
    assert deliver(payload, signature).status_code == 200
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("5.00")
    assert Refund.objects.count() == 1
    assert ProviderEvent.objects.count() == 2


def test_staff_refunds_go_to_stripe_once_and_its_webhook_changes_nothing(
    stripe_shop, alice, roles
):
    number = checkout(api_client(alice)).json()["number"]
    manager = api_client(staff_user("max.manager@example.com", "manager"))
    response = manager.post(f"/api/v1/admin/orders/{number}/refund",
                            {"amount": "3.95", "reason": "late"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["refunded"] == "3.95"
    stripe_refund = next(iter(stripe_shop.refunds.values()))
    assert stripe_refund["amount"] == 395
    row = Refund.objects.get()
    assert stripe_refund["metadata"]["attempt"] == row.idempotency_key
    payload, signature = stripe_shop.signed_event("refund.created", stripe_refund)
    assert deliver(payload, signature).status_code == 200
    assert Order.objects.get(number=number).amount_refunded == Decimal("3.95")
    too_much = manager.post(f"/api/v1/admin/orders/{number}/refund", {"amount": "30.01"},
                            content_type="application/json")
    assert too_much.status_code == 422
    assert len(stripe_shop.refunds) == 1
    rest = manager.post(f"/api/v1/admin/orders/{number}/refund", {"reason": "all of it"},
                        content_type="application/json")
    assert (rest.json()["status"], rest.json()["refunded"]) == ("refunded", "33.95")


# --- refunds Stripe accepts now and settles later ("pending")


def refund_by_manager(number: str, manager=None, **body):
    manager = api_client(manager or staff_user("max.manager@example.com", "manager"))
    response = manager.post(f"/api/v1/admin/orders/{number}/refund", body,
                            content_type="application/json")
    assert response.status_code == 200, response.content
    return response


def test_a_pending_refund_is_on_its_way_until_its_webhook_says_it_arrived(
    stripe_shop, alice, roles
):
    number = checkout(api_client(alice)).json()["number"]
    stripe_shop.refund_status = "pending"
    refund_by_manager(number, reason="damaged")
    row = Refund.objects.get()
    assert row.status == "pending"  # accepted by Stripe, not yet on the card
    assert row.settled_at is None
    assert Order.objects.get(number=number).status == OrderStatus.REFUNDED
    stripe_refund = stripe_shop.refund_settle(row.reference, "succeeded")
    payload, signature = stripe_shop.signed_event("refund.updated", stripe_refund)
    assert deliver(payload, signature).status_code == 200
    row.refresh_from_db()
    assert row.status == "refunded"
    assert row.settled_at is not None


def test_a_refund_that_fails_after_stripe_accepted_it_is_owed_again_and_shown_to_staff(
    stripe_shop, alice, roles, caplog
):
    """Stripe answers `pending`, and days later `failed` (the card was closed): the money is
    back in the shop's balance and the customer was not repaid. Before: the failed update was
    ignored and the shop kept saying "refunded"."""
    number = checkout(api_client(alice)).json()["number"]
    stripe_shop.refund_status = "pending"
    manager = staff_user("max.manager@example.com", "manager")
    cancelled = api_client(manager).post(f"/api/v1/admin/orders/{number}/cancel",
                                         {"reason": "out of stock"},
                                         content_type="application/json")
    assert cancelled.status_code == 200, cancelled.content
    row = Refund.objects.get()
    assert row.status == "pending"
    stripe_refund = stripe_shop.refund_settle(row.reference, "failed")
    payload, signature = stripe_shop.signed_event("refund.failed", stripe_refund)
    with caplog.at_level("CRITICAL", logger="shop.orders"):
        assert deliver(payload, signature).status_code == 200
        assert deliver(payload, signature).status_code == 200  # delivered twice: once
    row.refresh_from_db()
    assert row.status == "bounced"
    order = Order.objects.get(number=number)
    payment = Payment.objects.get()
    assert (order.status, order.amount_refunded) == (OrderStatus.CANCELLED, Decimal("0.00"))
    assert (payment.status, payment.amount_refunded) == ("captured", Decimal("0.00"))
    assert [e.kind for e in order.events.all()][-1] == "refund_failed"
    assert any(r.getMessage() == "a refund failed after the provider accepted it"
               for r in caplog.records)
    shopper = Client()
    shopper.force_login(alice)
    assert "could not reach your card" in shopper.get(
        f"/account/orders/{number}/").content.decode()
    # staff see it on the overview and the order, and refund again
    web = Client()
    web.force_login(manager)
    overview = web.get("/dashboard/").content.decode()
    assert "Refunds to redo" in overview
    assert number in overview
    detail = web.get(f"/dashboard/orders/{number}/").content.decode()
    assert "Failed after it was sent" in detail
    stripe_shop.refund_status = "succeeded"
    again = refund_by_manager(number, manager, reason="card closed: refunded to the new card")
    assert again.json()["status"] == "cancelled"
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("33.95")
    assert [r.status for r in Refund.objects.order_by("id")] == ["bounced", "refunded"]
    assert "Refunds to redo" not in web.get("/dashboard/").content.decode()


def test_reconciliation_asks_stripe_about_a_pending_refund_whose_webhook_never_came(
    stripe_shop, alice, roles
):
    number = checkout(api_client(alice)).json()["number"]
    stripe_shop.refund_status = "pending"
    refund_by_manager(number, amount="5.00")
    row = Refund.objects.get()
    payments_reconcile(older_than=dt.timedelta(0))
    assert Refund.objects.get().status == "pending"  # still pending at Stripe: left alone
    stripe_shop.refund_settle(row.reference, "failed")
    payments_reconcile(older_than=dt.timedelta(0))
    assert Refund.objects.get().status == "bounced"
    assert Order.objects.get(number=number).amount_refunded == Decimal("0.00")


# --- reconciliation


def test_reconciliation_cancels_an_unconfirmed_intent_at_stripe_first(stripe_shop, alice):
    """The process died after the intent was created (and its id recorded) but before the
    confirm: the job cancels it at Stripe, so it can never be charged, then releases."""
    stripe_shop.drop_answer_once(r"/v1/payment_intents/[^/]+/confirm")
    stripe_shop.down = False
    original = stripe_shop.handle

    def no_confirm(method, path, query, params):
        if path.endswith("/confirm"):
            stripe_shop.down = True  # the confirm never arrives, nor anything after it
            return {"_status": 500, "error": {"type": "api_error", "message": "down"}}
        return original(method, path, query, params)

    stripe_shop.handle = no_confirm
    try:
        response = checkout(api_client(alice))
    finally:
        stripe_shop.handle = original
        stripe_shop.down = False
        stripe_shop.drop_once.clear()
    assert response.status_code == 503  # it could not tell: nothing said, order in flight
    payment = Payment.objects.get()
    assert payment.status == "charging"
    assert payment.provider_id.startswith("pi_")
    payments_reconcile(older_than=dt.timedelta(0))
    assert stripe_shop.intents[payment.provider_id]["status"] == "canceled"
    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED
    assert stock() == 30


def test_reconciliation_finds_a_charge_the_shop_never_heard_of(stripe_shop, alice):
    original = stripe_shop.handle

    def answer_lost(method, path, query, params):
        body = original(method, path, query, params)
        if path.endswith("/confirm"):
            stripe_shop.down = True  # the charge went through; its answer and retries fail
        return body

    stripe_shop.handle = answer_lost
    stripe_shop.drop_answer_once(r"/v1/payment_intents/[^/]+/confirm")
    try:
        response = checkout(api_client(alice))
    finally:
        stripe_shop.handle = original
        stripe_shop.down = False
    assert response.status_code == 503
    assert "Do not pay again" in response.json()["error"]["message"]
    payments_reconcile(older_than=dt.timedelta(0))
    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get().status == "captured"
    assert stock() == 28


# --- the storefront: Stripe's hosted Checkout page takes the card


def to_review(client: Client) -> str:
    assert client.post("/cart/add/", {"sku": "MUG-1", "quantity": 2}).status_code in (200, 302)
    client.post("/checkout/address/", ALICE_ADDRESS)
    client.post("/checkout/delivery/", {"shipping_method": "standard"})
    payment_page = client.get("/checkout/payment/").content.decode()
    assert 'name="card_number"' not in payment_page  # no card form at all
    assert "secure page" in payment_page
    # card fields sent anyway are not taken
    client.post("/checkout/payment/", {"card_number": "4242424242424242", "exp_month": 12,
                                       "exp_year": 2099, "cvc": "123"})
    review = client.get("/checkout/review/").content.decode()
    assert "secure page" in review
    return re.search(r'name="cart" value="([^"]+)"', review).group(1)


def test_the_storefront_sends_the_shopper_to_the_hosted_page_and_back(stripe_shop, alice):
    client = Client()
    client.force_login(alice)
    fingerprint = to_review(client)
    response = client.post("/checkout/place/", {"cart": fingerprint})
    assert response.status_code == 302
    session_id = response["Location"].rsplit("/", 1)[1]
    assert response["Location"] == f"{stripe_shop.url}/pay/{session_id}"
    session = stripe_shop.sessions[session_id]
    order = Order.objects.get()
    assert (session["amount_total"], order.status) == (3395, OrderStatus.PENDING_PAYMENT)
    assert Payment.objects.get().provider_id == session_id
    assert "4242424242424242" not in json.dumps(session)
    # the job leaves a session the shopper may still be paying on alone
    payments_reconcile(older_than=dt.timedelta(0))
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    stripe_shop.pay_session(session_id)
    back = client.get(session["success_url"].removeprefix("http://testserver"))
    assert back.status_code == 302
    assert back["Location"] == f"/checkout/complete/{order.number}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get().reference == session["payment_intent"]
    assert stock() == 28


def test_the_webhook_before_the_shopper_is_back_leaves_one_paid_order(stripe_shop, alice):
    client = Client()
    client.force_login(alice)
    response = client.post("/checkout/place/", {"cart": to_review(client)})
    session = stripe_shop.sessions[response["Location"].rsplit("/", 1)[1]]
    stripe_shop.pay_session(session["id"])
    payload, signature = stripe_shop.signed_event("checkout.session.completed", session)
    assert deliver(payload, signature).status_code == 200
    assert Order.objects.get().status == OrderStatus.PAID
    back = client.get(session["success_url"].removeprefix("http://testserver"))
    assert back["Location"].startswith("/checkout/complete/")
    assert Payment.objects.filter(status="captured").count() == 1
    assert [e.kind for e in Order.objects.get().events.all()] == ["placed", "paid"]


def test_leaving_the_hosted_page_closes_it_and_gives_the_cart_back(stripe_shop, alice):
    client = Client()
    client.force_login(alice)
    response = client.post("/checkout/place/", {"cart": to_review(client)})
    session = stripe_shop.sessions[response["Location"].rsplit("/", 1)[1]]
    cancel = session["cancel_url"].removeprefix("http://testserver")
    # another page cannot cancel it: the link is signed for this order and this shopper
    assert client.get(cancel.split("?")[0] + "?t=forged").status_code == 302
    assert session["status"] == "open"
    back = client.get(cancel)
    assert back["Location"] == "/checkout/payment/"
    assert session["status"] == "expired"  # it can no longer be paid
    with pytest.raises(ValueError, match="expired"):
        stripe_shop.pay_session(session["id"])
    assert not Order.objects.exists()
    assert stock() == 30
    assert "Stoneware Mug" in client.get("/cart/").content.decode()


def test_an_expired_session_is_released_by_the_job(stripe_shop, alice):
    client = Client()
    client.force_login(alice)
    response = client.post("/checkout/place/", {"cart": to_review(client)})
    session = stripe_shop.sessions[response["Location"].rsplit("/", 1)[1]]
    session["expires_at"] = int(dt.datetime.now().timestamp()) - 1  # Stripe's clock ran out
    payments_reconcile(older_than=dt.timedelta(0))
    assert session["status"] == "expired"
    assert Order.objects.get().status == OrderStatus.CANCELLED
    assert stock() == 30


def test_with_stripe_the_csp_lets_forms_lead_to_stripes_page_and_nothing_else():
    import subprocess
    import sys

    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "SHOP_PAYMENT_GATEWAY": STRIPE}
    directives = json.loads(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                           capture_output=True, text=True).stdout)
    assert directives["form-action"] == ["'self'", "https://checkout.stripe.com"]
    assert directives["script-src"] == ["'self'"]
    assert "https://checkout.stripe.com" not in json.dumps(
        {k: v for k, v in directives.items() if k != "form-action"})
