"""The crash matrix: a real app-server worker (granian, the production server) is killed after
each step of checkout and of a refund, then the reconciliation job runs. In every cell:

- money captured and not refunded at the provider <=> the order is paid or fulfilled, and
  the amounts agree;
- the order's units are off the shelf while it lives and back exactly once when it dies;
- every charge and refund the provider made is a row in the shop's database, settled;
- nothing is left in flight, and running the job again changes nothing;
- a committed change never loses its customer e-mail.

The worker dies with os._exit at a named step (shop/core/faults.py: a file names the step;
only the test settings read it), exactly like a kill -9: no response, no cleanup. granian
respawns it. The provider's truth is the test gateway's own books (TestGatewayCharge,
TestGatewayRefund), which it writes outside the shop's transactions as a real provider would.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import httpx
import pytest
from django.core import mail
from django.db.models import Sum

from shop.accounts.tokens import access_token_issue
from shop.catalog.models import Variant
from shop.orders.models import Order, OrderStatus, Payment
from shop.staff.roles import roles_sync
from tests.conftest import require
from tests.factories import (
    DECLINED_CARD,
    checkout_body,
    create_category,
    create_product,
    create_user,
    staff_user,
)
from tests.support.appserver import AppServer, granian_binary
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db(transaction=True)

STOCK = 30
LIVE = (OrderStatus.PAID, OrderStatus.FULFILLED)


# granian takes a worker that dies within 5.5 s of its last respawn for a crash loop and
# stops: the cells take turns on a few servers, so that no worker dies twice that fast.
SERVERS = 3
RESPAWN_GRACE = 5.6


class Pool:
    def __init__(self, servers: list[tuple[AppServer, object]]) -> None:
        self.servers = servers
        self.last_crash = [0.0] * len(servers)
        self.turn = -1

    def next(self) -> tuple[AppServer, object]:
        """The server whose worker died longest ago (waiting out its grace if needed)."""
        index = min(range(len(self.servers)), key=lambda i: self.last_crash[i])
        wait = self.last_crash[index] + RESPAWN_GRACE - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.turn = index
        return self.servers[index]

    def crashed(self) -> None:
        self.last_crash[self.turn] = time.monotonic()


@pytest.fixture(scope="module")
def pool(django_db_setup, django_db_blocker, tmp_path_factory):
    """A few one-worker granian servers for the module, each respawning its worker when a
    step kills it; each has its own fault file."""
    require(granian_binary() is not None, "granian")
    servers = []
    with django_db_blocker.unblock():
        for index in range(SERVERS):
            fault_file = tmp_path_factory.mktemp(f"faults{index}") / "step"
            fault_file.write_text("")
            server = AppServer(
                tmp_path_factory.mktemp(f"crash-app{index}"), workers=1, threads=2,
                extra_env={"SHOP_FAULT_FILE": str(fault_file),
                           "SHOP_PAYMENT_GATEWAY": "tests.support.gateways.CrashingGateway",
                           "GRANIAN_RESPAWN_FAILED_WORKERS": "1",
                           "GRANIAN_RESPAWN_INTERVAL": "0.1"},
            )
            servers.append((server, fault_file))
        started = [threading.Thread(target=server.start) for server, _ in servers]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
    yield Pool(servers)
    for server, _ in servers:
        server.stop()


@pytest.fixture
def app(pool, transactional_db):
    server, fault_file = pool.next()
    assert server.running, server.logs()
    server.pool, server.fault_file = pool, fault_file
    return server


@pytest.fixture
def shop_ready(app):
    roles_sync()
    product = create_product("Stoneware Mug", category=create_category("Kitchen"),
                             variants=[{"price": "14.50", "stock": STOCK, "sku": "MUG-1"}])
    shopper = create_user("crash.shopper@example.com")
    manager = staff_user("max.manager@example.com", "manager")
    return product, shopper, manager


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token_issue(user=user)}"}


def wait_healthy(app: AppServer, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(app.url + "/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    raise AssertionError(f"granian did not come back:\n{app.logs()}")


def crash_at(step: str, app: AppServer, method: str, path: str, **kwargs) -> None:
    """Sends the request with the worker set to die at `step`; it must die (no answer)."""
    fault_file = app.fault_file
    fault_file.write_text(step)
    try:
        with httpx.Client(base_url=app.url, timeout=30.0) as client:
            response = client.request(method, path, **kwargs)
        raise AssertionError(f"the worker answered {response.status_code} instead of dying "
                             f"at {step}: {response.text[:300]}")
    except httpx.HTTPError:
        pass
    finally:
        fault_file.write_text("")
        app.pool.crashed()
    wait_healthy(app)


def call(app: AppServer, method: str, path: str, **kwargs) -> httpx.Response:
    with httpx.Client(base_url=app.url, timeout=30.0) as client:
        return client.request(method, path, **kwargs)


def fill_cart(app: AppServer, shopper, quantity: int = 2) -> None:
    response = call(app, "POST", "/api/v1/cart/items", headers=bearer(shopper),
                    json={"sku": "MUG-1", "quantity": quantity})
    assert response.status_code == 200, response.text


def reconcile() -> None:
    from shop.orders.reconcile import payments_reconcile

    payments_reconcile(older_than=dt.timedelta(0))


def provider_net(order: Order) -> Decimal:
    from shop.orders.models import TestGatewayCharge, TestGatewayRefund

    keys = list(Payment.objects.filter(order=order).values_list("idempotency_key", flat=True))
    charges = TestGatewayCharge.objects.filter(idempotency_key__in=keys, outcome="charged")
    charged = charges.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    refunded = TestGatewayRefund.objects.filter(
        charge_reference__in=list(charges.values_list("reference", flat=True))
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return charged - refunded


def assert_invariants(order: Order, *, units: int = 2) -> None:
    # (imported here: test_2 also runs against code from before these models existed)
    from shop.orders.models import MoneyInFlight, Refund, TestGatewayCharge, TestGatewayRefund

    order.refresh_from_db()
    stock = Variant.objects.get(sku="MUG-1").stock
    net = provider_net(order)
    # nothing left in flight
    assert order.money_in_flight == MoneyInFlight.NONE
    assert not Payment.objects.filter(order=order, status="charging").exists()
    assert not Refund.objects.filter(order=order, status="refunding").exists()
    # money captured and not refunded <=> paid or fulfilled; the amounts agree
    if order.status in LIVE:
        assert net == order.total - order.amount_refunded > 0, (order.status, net)
        assert stock == STOCK - units
    else:
        assert net == 0, (order.status, net)
        assert stock == STOCK  # back exactly once
    # every movement at the provider is a settled row of the shop
    for charge in TestGatewayCharge.objects.filter(outcome="charged"):
        payment = Payment.objects.get(idempotency_key=charge.idempotency_key)
        assert (payment.reference, payment.amount) == (charge.reference, charge.amount)
        assert payment.status in ("captured", "refunded")
    for refund in TestGatewayRefund.objects.all():
        row = Refund.objects.get(idempotency_key=refund.idempotency_key)
        assert (row.status, row.reference, row.amount) == ("refunded", refund.reference,
                                                           refund.amount)
    assert order.amount_refunded == (
        Refund.objects.filter(order=order, status="refunded").aggregate(t=Sum("amount"))["t"]
        or Decimal("0")
    )
    # the job again: nothing changes
    before = (order.status, order.amount_refunded, stock, net)
    reconcile()
    order.refresh_from_db()
    assert (order.status, order.amount_refunded, Variant.objects.get(sku="MUG-1").stock,
            provider_net(order)) == before


CHECKOUT_STEPS = {
    # step: what the order must be after the job
    "checkout.recorded": OrderStatus.CANCELLED,  # attempt committed, provider never asked
    "checkout.charged": OrderStatus.PAID,  # the provider took the money, nobody heard
    "checkout.settled": OrderStatus.PAID,  # paid and committed, no answer sent
}


@pytest.mark.parametrize("step", list(CHECKOUT_STEPS))
def test_checkout_killed_at_each_step(step, app, shop_ready):
    _, shopper, _ = shop_ready
    fill_cart(app, shopper)
    crash_at(step, app, "POST", "/api/v1/checkout", headers=bearer(shopper),
             json=checkout_body())
    order = Order.objects.get(user=shopper)
    assert order.status == (OrderStatus.PAID if step == "checkout.settled"
                            else OrderStatus.PENDING_PAYMENT)
    mail.outbox.clear()
    reconcile()
    assert_invariants(order)
    assert order.status == CHECKOUT_STEPS[step]
    deliver_outbox()
    subjects = [m.subject for m in mail.outbox]
    if order.status == OrderStatus.PAID:  # the confirmation survived the crash
        assert [s for s in subjects if "confirmed" in s] != []
    else:  # the shopper is told nothing was charged
        assert [s for s in subjects if "not completed" in s] != []


def test_a_declined_checkout_killed_before_its_release(app, shop_ready):
    _, shopper, _ = shop_ready
    fill_cart(app, shopper)
    crash_at("checkout.declined", app, "POST", "/api/v1/checkout",
             headers=bearer(shopper), json=checkout_body(card=DECLINED_CARD))
    order = Order.objects.get(user=shopper)
    reconcile()
    assert_invariants(order)
    assert order.status == OrderStatus.CANCELLED


def paid_order(app, shopper) -> Order:
    fill_cart(app, shopper)
    response = call(app, "POST", "/api/v1/checkout", headers=bearer(shopper),
                    json=checkout_body())
    assert response.status_code == 201, response.text
    return Order.objects.get(number=response.json()["number"])


REFUND_STEPS = ["refund.recorded", "refund.sent", "refund.settled"]
# a cancellation's refund settles through the same code; its two cells that differ
CANCEL_STEPS = ["refund.recorded", "refund.sent"]


@pytest.mark.parametrize("step", REFUND_STEPS)
def test_a_partial_refund_killed_at_each_step(step, app, shop_ready):
    _, shopper, manager = shop_ready
    order = paid_order(app, shopper)
    crash_at(step, app, "POST", f"/api/v1/admin/orders/{order.number}/refund",
             headers=bearer(manager), json={"amount": "5.00", "reason": "scratched"})
    mail.outbox.clear()
    reconcile()
    assert_invariants(order)
    assert (order.status, order.amount_refunded) == (OrderStatus.PAID, Decimal("5.00"))
    from shop.orders.models import TestGatewayRefund

    assert TestGatewayRefund.objects.count() == 1  # never twice
    deliver_outbox()
    assert [m for m in mail.outbox if "refund" in m.subject.lower()]


@pytest.mark.parametrize("step", CANCEL_STEPS)
def test_a_cancel_of_a_paid_order_killed_at_each_step(step, app, shop_ready):
    _, shopper, manager = shop_ready
    order = paid_order(app, shopper)
    crash_at(step, app, "POST", f"/api/v1/admin/orders/{order.number}/cancel",
             headers=bearer(manager), json={"reason": "customer phoned", "restock": True})
    reconcile()
    assert_invariants(order)
    assert (order.status, order.amount_refunded) == (OrderStatus.CANCELLED, order.total)


def test_2_the_process_dies_after_the_charge(app, shop_ready):
    """Finding 2: the worker dies the moment the provider charged, before the shop heard;
    the release job (the older command) runs later. The money must end on a paid order, and
    be recorded."""
    from django.core.management import call_command

    _, shopper, _ = shop_ready
    fill_cart(app, shopper)
    crash_at("gateway.charged", app, "POST", "/api/v1/checkout", headers=bearer(shopper),
             json=checkout_body())
    hour_ago = Order.objects.get(user=shopper).created_at - dt.timedelta(hours=1)
    Order.objects.filter(user=shopper).update(created_at=hour_ago)
    Payment.objects.filter(order__user=shopper).update(created_at=hour_ago)
    call_command("release_abandoned_orders")
    order = Order.objects.get(user=shopper)
    assert order.status == OrderStatus.PAID, order.status
    assert_invariants(order)
    assert Payment.objects.get(order=order).status == "captured"
