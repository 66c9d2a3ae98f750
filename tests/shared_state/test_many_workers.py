"""Many workers, one truth: what must agree between two requests of one person agrees,
whichever worker process answers (issue 11).

Each test talks to granian with two workers over fresh connections: a sign-out, a revoked
token, a checkout step, a throttle counter or an alert counter that lived in one process's
memory would show here as a wrong answer on a share of the requests.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core import mail

from shop.catalog.models import Variant
from shop.monitoring.models import Alert, SecurityEvent
from shop.orders.models import Order, Payment
from shop.orders.numbers import order_number_new
from tests.factories import build_small_catalog, checkout_body, create_user
from tests.support.visitor import Visitor, api_call, count, eventually

PASSWORD = "correct horse battery staple"
CARD = {"card_number": "4242 4242 4242 4242", "exp_month": "12", "exp_year": "2099",
        "cvc": "123"}
ADDRESS = {"name": "Alice Liddell", "line1": "12 Rabbit Hole Lane", "line2": "",
           "city": "Oxford", "postal_code": "OX1 4AW", "country": "GB"}
REPLAYS = 40


def api_sign_in(base_url: str, email: str, password: str = PASSWORD) -> dict:
    response = api_call(base_url, "POST", "/api/v1/auth/token",
                        json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


# --- sessions


def test_a_signed_out_session_is_signed_out_in_every_worker(base_url):
    create_user("alice@example.com", PASSWORD, name="Alice")
    alice = Visitor(base_url)
    alice.sign_in("alice@example.com", PASSWORD)
    # Every worker has served (and, with a per-process cache, kept) the signed-in session.
    assert count(10, alice.signed_in) == 10
    old_cookies = dict(alice.cookies)
    signed_out = alice.post_form("/account/sign-out/", form_page="/account/")
    assert signed_out.status_code == 200


    def replayed() -> bool:  # the copied cookie as it was, every time
        replay = Visitor(base_url)
        replay.cookies = dict(old_cookies)
        return replay.signed_in()

    still_in = count(REPLAYS, replayed)
    assert still_in == 0, f"the old session cookie was signed in on {still_in} of {REPLAYS}"


def test_checkout_progress_holds_across_workers(base_url):
    catalog = build_small_catalog()
    create_user("alice@example.com", PASSWORD, name="Alice")
    sku = catalog.mug.variants.get().sku
    alice = Visitor(base_url)
    alice.sign_in("alice@example.com", PASSWORD)
    bounces = []
    for attempt in range(20):
        alice.post_form("/cart/add/", {"sku": sku, "quantity": "1"}, form_page="/cart/")
        steps = [
            ("/checkout/address/", ADDRESS, "/checkout/delivery/"),
            ("/checkout/delivery/", {"shipping_method": "standard"}, "/checkout/payment/"),
            ("/checkout/payment/", CARD, "/checkout/review/"),
        ]
        for page, form, expected in steps:
            response = alice.post_form(page, form, form_page=page)
            if response.headers.get("location") != expected:
                bounces.append((attempt, page, response.status_code,
                                response.headers.get("location")))
        review = alice.get("/checkout/review/")
        found = re.search(r'name="cart" value="([0-9a-f]+)"', review.text)
        if review.status_code != 200 or found is None:
            bounces.append((attempt, "review", review.status_code,
                            review.headers.get("location")))
            continue
        placed = alice.post_form("/checkout/place/", {"cart": found.group(1)})
        if "/checkout/complete/" not in placed.headers.get("location", ""):
            bounces.append((attempt, "place", placed.status_code,
                            placed.headers.get("location")))
    assert bounces == [], f"{len(bounces)} bounces: {bounces[:10]}"
    assert Order.objects.filter(user__email="alice@example.com", status="paid").count() == 20


def test_one_idempotency_key_places_one_order_whichever_worker_answers(base_url):
    """The shopper's checkout claims its key in the order's own transaction (issue 16): a
    retry that lands on the other worker while the first is still in flight waits on the
    key's unique index and answers the first order; one order, one charge."""
    catalog = build_small_catalog()
    variant = catalog.mug.variants.get()
    create_user("alice@example.com", PASSWORD, name="Alice")
    access = api_sign_in(base_url, "alice@example.com")["access"]
    added = api_call(base_url, "POST", "/api/v1/cart/items", token=access,
                     json={"sku": variant.sku, "quantity": 2})
    assert added.status_code in (200, 201), added.text

    def place(_: int):
        return api_call(base_url, "POST", "/api/v1/checkout", token=access,
                        json=checkout_body(ADDRESS), headers={"Idempotency-Key": "alice-1"})

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(place, range(4)))
    responses += [place(n) for n in range(4)]

    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
    assert len({r.json()["number"] for r in responses}) == 1
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).stock == variant.stock - 2


# --- API tokens


def test_an_access_token_is_refused_everywhere_after_logout(base_url):
    create_user("alice@example.com", PASSWORD, name="Alice")
    pair = api_sign_in(base_url, "alice@example.com")

    def me_answers() -> bool:
        return api_call(base_url, "GET", "/api/v1/me", token=pair["access"]).status_code == 200

    assert count(6, me_answers) == 6
    logout = api_call(base_url, "POST", "/api/v1/auth/logout", token=pair["access"],
                      json={"refresh": pair["refresh"]})
    assert logout.status_code == 204
    still_valid = count(REPLAYS, me_answers)
    assert still_valid == 0, f"the logged-out access token answered {still_valid} of {REPLAYS}"
    refreshed = api_call(base_url, "POST", "/api/v1/auth/refresh",
                         json={"refresh": pair["refresh"]})
    assert refreshed.status_code == 401


def test_an_access_token_is_refused_everywhere_after_a_password_change(base_url):
    create_user("alice@example.com", PASSWORD, name="Alice")
    pair = api_sign_in(base_url, "alice@example.com")
    alice = Visitor(base_url)
    alice.sign_in("alice@example.com", PASSWORD)
    changed = alice.post_form("/account/password/", {
        "old_password": PASSWORD, "new_password1": "a brand new passphrase 42",
        "new_password2": "a brand new passphrase 42",
    }, form_page="/account/password/")
    assert changed.status_code == 302
    refused = count(REPLAYS, lambda: api_call(
        base_url, "GET", "/api/v1/me", token=pair["access"]).status_code == 401)
    assert refused == REPLAYS


# --- throttles and lockout


def test_password_reset_requests_hold_their_limit_across_workers(base_url):
    create_user("alice@example.com", PASSWORD, name="Alice")
    limit = int(settings.ACCOUNTS_THROTTLE_RATES["password_reset"]["account"].split("/")[0])
    visitor = Visitor(base_url)
    accepted = 0
    for _ in range(12):
        response = visitor.post_form("/account/password-reset/", {"email": "alice@example.com"},
                                     form_page="/account/password-reset/")
        assert response.status_code in (302, 429), response.status_code
        accepted += response.status_code == 302
    assert accepted == limit, f"{accepted} of 12 reset requests accepted (limit {limit})"


def test_sign_in_attempts_per_account_hold_their_limit_across_workers(base_url):
    """Guesses for one account from many addresses: at most the account's cap of passwords
    is checked, whichever worker answers."""
    create_user("alice@example.com", PASSWORD, name="Alice")
    limit = int(settings.ACCOUNTS_THROTTLE_RATES["signin"]["account"].split("/")[0])
    statuses = [
        api_call(base_url, "POST", "/api/v1/auth/token",
                 json={"email": "alice@example.com", "password": f"guess {n}"},
                 headers={"X-Forwarded-For": f"198.51.100.{n + 1}"}).status_code
        for n in range(limit + 6)
    ]
    assert set(statuses) <= {401, 429}, statuses
    checked = SecurityEvent.objects.filter(kind="signin_failed").count()
    assert checked == limit, statuses
    assert statuses[limit:] == [429] * 6


def test_failed_sign_ins_lock_the_address_for_that_account_not_the_owner(base_url):
    """Five wrong passwords from one address lock that address out of that account, on every
    worker; the owner, elsewhere, still signs in."""
    create_user("admin@example.com", PASSWORD, name="Admin", is_staff=True)
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    statuses = [
        api_call(base_url, "POST", "/api/v1/auth/token", headers=attacker,
                 json={"email": "admin@example.com", "password": f"guess {n}"}).status_code
        for n in range(8)
    ]
    assert statuses[:4] == [401] * 4, statuses
    assert set(statuses[5:]) == {429}, statuses
    # the right password from the attacker's address is refused too...
    assert api_call(base_url, "POST", "/api/v1/auth/token", headers=attacker, json={
        "email": "admin@example.com", "password": PASSWORD}).status_code == 429
    # ...while the owner, from their own address, is not kept out
    owner = api_call(base_url, "POST", "/api/v1/auth/token",
                     headers={"X-Forwarded-For": "192.0.2.10"},
                     json={"email": "admin@example.com", "password": PASSWORD})
    assert owner.status_code == 200, owner.text


def test_a_password_spray_slows_the_account_but_not_its_owner(base_url):
    """Guesses from many addresses hit the account's cap; the owner, from an address they
    signed in from before, still gets in (on every worker)."""
    create_user("admin@example.com", PASSWORD, name="Admin", is_staff=True)
    home = {"X-Forwarded-For": "192.0.2.10"}
    assert api_call(base_url, "POST", "/api/v1/auth/token", headers=home, json={
        "email": "admin@example.com", "password": PASSWORD}).status_code == 200
    limit = int(settings.ACCOUNTS_THROTTLE_RATES["signin"]["account"].split("/")[0])
    spray = [
        api_call(base_url, "POST", "/api/v1/auth/token",
                 headers={"X-Forwarded-For": f"198.18.0.{n + 1}"},
                 json={"email": "admin@example.com", "password": f"guess {n}"}).status_code
        for n in range(limit + 4)
    ]
    assert spray[-4:] == [429] * 4, spray
    # a new address is held back even with the right password...
    stranger = api_call(base_url, "POST", "/api/v1/auth/token",
                        headers={"X-Forwarded-For": "198.18.1.1"},
                        json={"email": "admin@example.com", "password": PASSWORD})
    assert stranger.status_code == 429
    # ...the owner at home is not
    for _ in range(3):
        owner = api_call(base_url, "POST", "/api/v1/auth/token", headers=home, json={
            "email": "admin@example.com", "password": PASSWORD})
        assert owner.status_code == 200, owner.text


# --- alerts


def test_the_enumeration_alert_fires_once_at_its_threshold_across_workers(base_url):
    create_user("mallory@example.com", PASSWORD, name="Mallory")
    token = api_sign_in(base_url, "mallory@example.com")["access"]
    misses = 0

    def miss() -> None:
        nonlocal misses
        misses += 1
        number = order_number_new()
        response = api_call(base_url, "GET", f"/api/v1/orders/{number}", token=token)
        assert response.status_code == 404

    for _ in range(19):
        miss()
    # The count is taken after each response has left (a miss must take as long as a hit):
    # give the last one a moment before saying that nothing happened.
    time.sleep(0.5)
    assert not Alert.objects.filter(rule="object_enumeration").exists(), (
        "the enumeration alert fired before its threshold"
    )
    miss()
    assert eventually(lambda: Alert.objects.filter(rule="object_enumeration").exists()), (
        "20 misses did not raise the enumeration alert"
    )
    for _ in range(20):
        miss()
    time.sleep(0.5)
    alerts = list(Alert.objects.filter(rule="object_enumeration"))
    subjects = sorted(alert.subject for alert in alerts)
    # one alert per subject (the user, the address), however many workers counted
    assert len(subjects) == len(set(subjects)), subjects
    assert len(mail.outbox) == 0
