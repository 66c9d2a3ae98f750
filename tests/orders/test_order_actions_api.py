"""The staff API's order actions (docs/contract.md 4.1: fulfil, cancel, refund), what the
shopper then sees (timeline, refunds, tracking), the outbox's e-mails (retries, nobody
written to after an erasure) and the erasure that waits for open orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from shop.catalog.models import Variant
from shop.monitoring.models import AuditEvent
from shop.orders.models import MoneyInFlight, Order, OrderStatus, Refund
from tests.factories import PASSWORD, checkout_body, create_category, create_product, staff_user
from tests.support.api import api_client
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(db, roles, alice):
    create_product("Stoneware Mug", category=create_category("Kitchen"),
                   variants=[{"price": "14.50", "stock": 30, "sku": "MUG-1"}])
    shopper = api_client(alice)
    shopper.post("/api/v1/cart/items", {"sku": "MUG-1", "quantity": 2},
                 content_type="application/json")
    number = shopper.post("/api/v1/checkout", checkout_body(),
                          content_type="application/json").json()["number"]
    deliver_outbox()
    mail.outbox.clear()
    return number, shopper


@pytest.fixture
def manager(roles):
    return api_client(staff_user("max.manager@example.com", "manager"))


def post(client: Client, path: str, body: dict | None = None):
    return client.post(path, body or {}, content_type="application/json")


def test_fulfil_with_tracking_emails_the_customer_and_shows_in_their_order(placed, manager):
    number, shopper = placed
    response = post(manager, f"/api/v1/admin/orders/{number}/fulfil",
                    {"carrier": "DHL", "tracking_number": "JD0146000033"})
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert (body["status"], body["tracking"]) == ("fulfilled", {"carrier": "DHL",
                                                               "number": "JD0146000033"})
    again = post(manager, f"/api/v1/admin/orders/{number}/fulfil")
    assert again.status_code == 409
    mine = shopper.get(f"/api/v1/orders/{number}").json()
    assert mine["tracking"] == {"carrier": "DHL", "number": "JD0146000033"}
    assert [e["kind"] for e in mine["events"]] == ["placed", "paid", "fulfilled"]
    deliver_outbox()
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "on its way" in message.subject
    assert "JD0146000033" in message.body


def test_partial_refunds_add_up_and_never_exceed_what_was_paid(placed, manager):
    number, shopper = placed
    first = post(manager, f"/api/v1/admin/orders/{number}/refund",
                 {"amount": "10.00", "reason": "scratched"})
    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["refunded"]) == ("paid", "10.00")
    too_much = post(manager, f"/api/v1/admin/orders/{number}/refund", {"amount": "23.96"})
    assert too_much.status_code == 422
    assert too_much.json()["error"]["code"] == "refund_too_large"
    assert post(manager, f"/api/v1/admin/orders/{number}/refund",
                {"amount": "-1"}).status_code == 422
    assert post(manager, f"/api/v1/admin/orders/{number}/refund",
                {"amount": "1.234"}).status_code == 422
    rest = post(manager, f"/api/v1/admin/orders/{number}/refund", {"reason": "returned"})
    assert (rest.json()["status"], rest.json()["refunded"]) == ("refunded", "33.95")
    assert [r["amount"] for r in rest.json()["refunds"]] == ["10.00", "23.95"]
    mine = shopper.get(f"/api/v1/orders/{number}").json()
    assert (mine["status"], mine["refunded"]) == ("refunded", "33.95")
    assert [(e["kind"], e["amount"]) for e in mine["events"]][-2:] == [
        ("refunded", "10.00"), ("refunded", "23.95")]
    assert post(manager, f"/api/v1/admin/orders/{number}/refund").status_code == 409
    deliver_outbox()
    assert [m.subject for m in mail.outbox].count(
        f"A refund for your Buy_From_Me order {number}") == 2
    assert AuditEvent.objects.filter(action="order.refund").count() == 2


def test_cancel_refunds_what_was_captured_and_restocks_once(placed, manager):
    number, _ = placed
    response = post(manager, f"/api/v1/admin/orders/{number}/cancel",
                    {"reason": "customer phoned", "restock": True})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["refunded"]) == ("cancelled", "33.95")
    assert Variant.objects.get(sku="MUG-1").stock == 30
    assert post(manager, f"/api/v1/admin/orders/{number}/cancel",
                {"reason": "again"}).status_code == 409
    assert post(manager, f"/api/v1/admin/orders/{number}/refund").status_code == 409
    assert Variant.objects.get(sku="MUG-1").stock == 30
    deliver_outbox()
    (message,) = mail.outbox
    assert "cancelled" in message.subject
    assert "33.95" in message.body


def test_nothing_moves_an_order_while_its_money_is_in_flight(placed, manager):
    number, _ = placed
    Order.objects.filter(number=number).update(money_in_flight=MoneyInFlight.REFUND)
    for action in ("fulfil", "cancel", "refund"):
        response = post(manager, f"/api/v1/admin/orders/{number}/{action}")
        assert response.status_code == 409, action
        assert response.json()["error"]["code"] == "payment_in_progress"
    assert Order.objects.get(number=number).status == OrderStatus.PAID
    assert not Refund.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "shopper", "support"])
def test_only_managers_act_on_orders(placed, who, roles):
    number, shopper = placed
    client = {"anonymous": Client(), "shopper": shopper,
              "support": api_client(staff_user("sue.support@example.com", "support"))}[who]
    for action in ("fulfil", "cancel", "refund"):
        response = post(client, f"/api/v1/admin/orders/{number}/{action}")
        assert response.status_code == (401 if who == "anonymous" else 403), (who, action)
        assert "Alice" not in response.content.decode()
    assert Order.objects.get(number=number).status == OrderStatus.PAID


def test_a_failing_mail_server_is_retried_later_and_loses_nothing(placed, manager, settings):
    number, _ = placed
    settings.EMAIL_BACKEND = "tests.support.mailboxes.DownBackend"
    post(manager, f"/api/v1/admin/orders/{number}/fulfil", {"tracking_number": "T1"})
    deliver_outbox()  # the attempt fails; the next one waits a minute
    assert mail.outbox == []
    from django_tasks_db.models import DBTaskResult

    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=retry.enqueued_at)  # time passes
    deliver_outbox()
    assert [m.subject for m in mail.outbox] == [
        f"Your Buy_From_Me order {number} is on its way"]


def test_an_account_with_an_order_not_shipped_yet_is_not_erased(placed, manager, alice):
    number, shopper = placed
    refused = shopper.delete("/api/v1/me", {"password": PASSWORD},
                             content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "orders_open"
    post(manager, f"/api/v1/admin/orders/{number}/fulfil")
    assert shopper.delete("/api/v1/me", {"password": PASSWORD},
                          content_type="application/json").status_code == 204
    # a refund after the erasure e-mails nobody: the order kept no address
    mail.outbox.clear()
    assert post(manager, f"/api/v1/admin/orders/{number}/refund",
                {"amount": "1.00"}).status_code == 200
    deliver_outbox()
    assert mail.outbox == []
    assert Order.objects.get(number=number).amount_refunded == Decimal("1.00")


def test_an_email_whose_worker_died_mid_delivery_goes_out_after_all(placed, manager):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    number, _ = placed
    post(manager, f"/api/v1/admin/orders/{number}/fulfil", {"tracking_number": "T2"})
    # a worker claimed it, then was killed: the row says RUNNING for ever
    DBTaskResult.objects.filter(status="READY").update(
        status="RUNNING", started_at=timezone.now() - dt.timedelta(hours=1))
    deliver_outbox()
    assert mail.outbox == []
    call_command("reconcile_payments")
    deliver_outbox()
    assert [m.subject for m in mail.outbox] == [
        f"Your Buy_From_Me order {number} is on its way"]
