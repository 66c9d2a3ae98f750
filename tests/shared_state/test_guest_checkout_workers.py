"""Many workers, one truth for guests too (issue 14 on top of issue 11): guest checkout, the
guest-order lookup and the claim of guest orders agree whichever worker process answers.

granian with two workers, a fresh connection per request (tests/shared_state/conftest.py):
an idempotency claim, a lookup throttle, an enumeration count, a used claim link or a guest's
checkout step kept in one process's memory would show here as a wrong answer on a share of
the requests. Runs on SQLite and on PostgreSQL + Redis (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from django.conf import settings

from shop.accounts.models import User
from shop.catalog.models import Variant
from shop.monitoring.models import Alert
from shop.orders.guest import claim_link
from shop.orders.models import GuestOrder, Order, Payment, TestGatewayCharge
from tests.factories import GOOD_CARD, build_small_catalog, create_user
from tests.support.visitor import Visitor, api_call, eventually

PASSWORD = "correct horse battery staple"
GUEST = "gwen.guest@example.com"
CARD = {"card_number": GOOD_CARD, "exp_month": "12", "exp_year": "2099", "cvc": "123"}
ADDRESS = {"name": "Gwen Guest", "line1": "221B Baker Street", "line2": "", "city": "London",
           "postal_code": "NW1 6XE", "country": "GB", "state": "", "phone": ""}
NUMBER = re.compile(r'data-testid="order-number">(BFM-[0-9A-Z]{10})<')


def guest_body(sku: str, *, email: str = GUEST, quantity: int = 2) -> dict:
    return {"email": email, "items": [{"sku": sku, "quantity": quantity}],
            "shipping_address": {k: v for k, v in ADDRESS.items() if k not in ("state", "phone")},
            "shipping_method": "standard",
            "payment": {**CARD, "exp_month": 12, "exp_year": 2099}}


def guest_checkout(base_url: str, body: dict, *, key: str | None = None) -> httpx.Response:
    return api_call(base_url, "POST", "/api/v1/guest/checkout", json=body,
                    headers={"Idempotency-Key": key} if key else None)


def guest_order(base_url: str, sku: str, **kwargs) -> tuple[str, str]:
    response = guest_checkout(base_url, guest_body(sku, **kwargs))
    assert response.status_code == 201, response.text
    return response.json()["number"], response.json()["order_token"]


def lookup(base_url: str, number: str, token: str, ip: str) -> httpx.Response:
    return api_call(base_url, "GET", f"/api/v1/guest/orders/{number}",
                    headers={"X-Order-Token": token, "X-Forwarded-For": ip})


def mug_sku() -> str:
    return build_small_catalog().mug.variants.get().sku


# --- (a) one Idempotency-Key, one order, on every worker


def test_one_idempotency_key_places_one_guest_order_whichever_worker_answers(base_url):
    sku = mug_sku()
    body = guest_body(sku)
    # 3 at once, then 5 one after the other (8 in all: the per-address checkout cap is 10/h)
    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(lambda _: guest_checkout(base_url, body, key="gwen-retry-1"),
                                  range(3)))
    responses += [guest_checkout(base_url, body, key="gwen-retry-1") for _ in range(5)]

    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
    answers = [r.json() for r in responses]
    assert len({a["number"] for a in answers}) == 1, answers
    assert len({a["order_token"] for a in answers}) == 1
    replayed = [r.headers.get("Idempotent-Replayed") for r in responses]
    assert replayed.count("true") == 7, replayed
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1  # one charge at the gateway
    assert Variant.objects.get(sku=sku).stock == 30 - 2
    # the token answered to every retry opens the order on every worker
    number, token = answers[0]["number"], answers[0]["order_token"]
    assert all(lookup(base_url, number, token, "192.0.2.50").status_code == 200
               for _ in range(4))


# --- (b) the lookup throttle, per client address, counted once for all workers


def test_the_guest_order_lookup_throttle_holds_across_workers(base_url):
    number, token = guest_order(base_url, mug_sku())
    limit = int(settings.ACCOUNTS_THROTTLE_RATES["guest_order"]["ip"].split("/")[0])
    statuses = [lookup(base_url, number, token, "198.51.100.7").status_code
                for _ in range(limit + 3)]
    assert statuses[:limit] == [200] * limit, statuses
    assert statuses[limit:] == [429] * 3, statuses
    # per address: the guest, elsewhere, still opens her order
    assert lookup(base_url, number, token, "198.51.100.8").status_code == 200


# --- (c) wrong tokens count towards the enumeration alert, once for all workers


def test_wrong_guest_tokens_raise_one_enumeration_alert_across_workers(base_url):
    number, token = guest_order(base_url, mug_sku())
    misses = 0

    def miss() -> None:
        nonlocal misses
        misses += 1
        wrong = f"{'x' * 30}{misses:04d}"
        assert lookup(base_url, number, wrong, "203.0.113.9").status_code == 404

    for _ in range(19):
        miss()
    time.sleep(0.5)  # each miss is counted after its response has left
    assert not Alert.objects.filter(rule="object_enumeration").exists(), (
        "the enumeration alert fired before its threshold")
    miss()
    assert eventually(lambda: Alert.objects.filter(rule="object_enumeration").exists()), (
        "20 wrong tokens did not raise the enumeration alert")
    for _ in range(20):
        miss()
    time.sleep(0.5)
    assert Alert.objects.filter(rule="object_enumeration").count() == 1, list(
        Alert.objects.values_list("rule", "subject"))
    # the guest's own token still opens her order
    assert lookup(base_url, number, token, "192.0.2.51").status_code == 200


# --- (d) a claim link moves the orders once


def test_a_claim_link_works_once_whichever_worker_answers(base_url):
    sku = mug_sku()
    first = [guest_order(base_url, sku, quantity=1)[0] for _ in range(2)]
    gwen = create_user(GUEST, PASSWORD, name="Gwen")
    browser = Visitor(base_url)
    browser.sign_in(GUEST, PASSWORD)
    sent = claim_link(user=gwen, base_url=base_url)  # what claim_link_send e-mails
    assert sent is not None
    link = sent.removeprefix(base_url)
    token = link.split("?t=", 1)[1]
    assert [browser.get(link).status_code for _ in range(4)] == [200] * 4

    used = browser.post_form("/account/orders/claim/", {"t": token}, form_page=link)
    assert used.headers.get("location") == "/account/orders/"
    assert "2 orders added to your account" in browser.get("/account/orders/").text
    assert set(Order.objects.filter(user=gwen).values_list("number", flat=True)) == set(first)

    # used: refused on every worker, and it moves nothing placed later
    later = guest_order(base_url, sku, quantity=1)[0]
    for _ in range(4):
        again = browser.post_form("/account/orders/claim/", {"t": token})
        assert again.headers.get("location") == "/account/orders/"
        assert "not valid any more" in browser.get("/account/orders/").text
    assert [browser.get(link).status_code for _ in range(4)] == [400] * 4
    assert Order.objects.get(number=later).user_id is None
    assert GuestOrder.objects.get(order__number=later).claimed_at is None
    assert Order.objects.filter(user=gwen).count() == 2
    assert User.objects.count() == 1


# --- (e) the storefront's guest checkout steps, each step on any worker


def test_guest_checkout_progress_holds_across_workers(base_url):
    sku = mug_sku()
    guest = Visitor(base_url)
    bounces: list[tuple] = []
    attempts = 6  # (the per-address checkout cap is 10/h)
    for attempt in range(attempts):
        # the product page is cached and carries no CSRF token: its script fetches one
        guest.csrf = guest.get("/fragments/private").json()["csrf_token"]
        added = guest.post_form("/cart/add/", {"sku": sku, "quantity": "1"})
        if added.status_code != 302:
            bounces.append((attempt, "cart", added.status_code, added.headers.get("location")))
        steps = [
            ("/checkout/guest/", {"email": GUEST}, "/checkout/address/"),
            ("/checkout/address/", ADDRESS, "/checkout/delivery/"),
            ("/checkout/delivery/", {"shipping_method": "standard"}, "/checkout/payment/"),
            ("/checkout/payment/", CARD, "/checkout/review/"),
        ]
        for page, form, expected in steps:
            response = guest.post_form(page, form, form_page=page)
            if response.headers.get("location") != expected:
                bounces.append((attempt, page, response.status_code,
                                response.headers.get("location")))
        review = guest.get("/checkout/review/")
        found = re.search(r'name="cart" value="([0-9a-f]+)"', review.text)
        if review.status_code != 200 or found is None:
            bounces.append((attempt, "review", review.status_code,
                            review.headers.get("location")))
            continue
        placed = guest.post_form("/checkout/place/", {"cart": found.group(1)})
        if placed.headers.get("location") != "/checkout/guest/complete/":
            bounces.append((attempt, "place", placed.status_code,
                            placed.headers.get("location")))
            continue
        complete = guest.get("/checkout/guest/complete/")
        if complete.status_code != 200 or not NUMBER.search(complete.text):
            bounces.append((attempt, "complete", complete.status_code,
                            complete.headers.get("location")))
    assert bounces == [], f"{len(bounces)} bounces: {bounces[:10]}"
    assert Order.objects.filter(user=None, email=GUEST, status="paid").count() == attempts
    assert TestGatewayCharge.objects.count() == attempts


def test_a_double_click_on_place_order_charges_a_guest_once(base_url):
    """Two POSTs of the review's form at once (a double click; each on a connection of its
    own, so possibly each on its own worker): the checkout's one Idempotency-Key places one
    order, charged once."""
    sku = mug_sku()
    guest = Visitor(base_url)
    guest.csrf = guest.get("/fragments/private").json()["csrf_token"]
    assert guest.post_form("/cart/add/", {"sku": sku, "quantity": "1"}).status_code == 302
    for page, form in (("/checkout/guest/", {"email": GUEST}), ("/checkout/address/", ADDRESS),
                       ("/checkout/delivery/", {"shipping_method": "standard"}),
                       ("/checkout/payment/", CARD)):
        assert guest.post_form(page, form, form_page=page).status_code == 302, page
    review = guest.get("/checkout/review/")
    cart = re.search(r'name="cart" value="([0-9a-f]+)"', review.text)
    assert cart is not None, review.text[:300]
    with ThreadPoolExecutor(max_workers=2) as pool:
        clicks = list(pool.map(lambda _: guest.post_form("/checkout/place/",
                                                         {"cart": cart.group(1)}), range(2)))
    assert [c.status_code for c in clicks] == [302, 302]
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1
    assert Variant.objects.get(sku=sku).stock == 30 - 1
