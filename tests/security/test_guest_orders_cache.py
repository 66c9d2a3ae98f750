"""Guest orders through the hostile nginx cache (URL-keyed, ignores Vary and Set-Cookie;
tests/support/nginx.py), issue 14.

Two guests (one through the API, one through the storefront with a real cookie jar and CSRF)
and a signed-in shopper, interleaved and then concurrently, ask for their own orders and for
each other's (with their own token, with none, with a wrong one), and a stranger asks for
everything. Nobody receives a byte of someone else's order, no answer is stored or
storable, the guests' order pages are `private, no-store`, and the order tokens never appear
in a URL: not in nginx's access log (which logs every request URI), not in the app's log
lines.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from django.conf import settings
from django.test import Client

from shop.accounts.tokens import access_token_issue
from tests.factories import GOOD_CARD, checkout_body, create_user
from tests.support.http import assert_not_shareable

pytestmark = [pytest.mark.nginx, pytest.mark.django_db(transaction=True)]

ROUNDS = 3
CARD = {"card_number": GOOD_CARD, "exp_month": 12, "exp_year": 2099, "cvc": "123"}


@dataclass
class Person:
    name: str
    number: str
    token: str  # a guest's order token; a shopper's bearer token
    secrets: tuple[str, ...]
    cookie: str = ""


def api_guest(nginx_cache, sku: str) -> Person:
    address = {"name": "Gideon Quillfeather", "line1": "7 Lanternfly Mews", "line2": "",
               "city": "Bristol", "postal_code": "BS1 4ST", "country": "GB"}
    response = nginx_cache.request("POST", "/api/v1/guest/checkout", json={
        "email": "gideon.q@example.com", "items": [{"sku": sku, "quantity": 1}],
        "shipping_address": address, "shipping_method": "standard", "payment": CARD,
    }, headers={"Idempotency-Key": "soak-guest-a"})
    assert response.status_code == 201, response.text
    assert_not_shareable(response)
    body = response.json()
    return Person("guest A", body["number"], body["order_token"],
                  (body["number"], "Quillfeather", "gideon.q@example.com", "Lanternfly",
                   body["order_token"]))


def _csrf(text: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)


def storefront_guest(nginx_cache, sku: str) -> Person:
    """A guest in a browser: a cookie jar, CSRF tokens, every step through the cache."""
    web = httpx.Client(base_url=nginx_cache.url, follow_redirects=False, timeout=15.0)
    csrf = _csrf(web.get("/account/sign-in/").text)
    steps = [
        ("/cart/add/", {"sku": sku, "quantity": "1"}),
        ("/checkout/guest/", {"email": "hester.v@example.com"}),
        ("/checkout/address/", {"name": "Hester Vantablack", "line1": "12 Orrery Lane",
                                "line2": "", "city": "Leeds", "postal_code": "LS1 4DY",
                                "country": "GB", "state": "", "phone": ""}),
        ("/checkout/delivery/", {"shipping_method": "standard"}),
        ("/checkout/payment/", {k: str(v) for k, v in CARD.items()}),
    ]
    for path, data in steps:
        answer = web.post(path, data={**data, "csrfmiddlewaretoken": csrf},
                          headers={"Referer": nginx_cache.url + path})
        assert answer.status_code == 302, (path, answer.status_code, answer.text[:300])
        assert_not_shareable(answer)
        csrf = web.cookies.get(settings.CSRF_COOKIE_NAME) or csrf
    review = web.get("/checkout/review/")
    fingerprint = re.search(r'name="cart" value="([0-9a-f]+)"', review.text).group(1)
    placed = web.post("/checkout/place/", data={"cart": fingerprint,
                                                "csrfmiddlewaretoken": _csrf(review.text)},
                      headers={"Referer": nginx_cache.url + "/checkout/review/"})
    assert placed.headers["location"] == "/checkout/guest/complete/", placed.text[:300]
    complete = web.get("/checkout/guest/complete/")
    assert complete.status_code == 200
    assert_not_shareable(complete)
    number = re.search(r'data-testid="order-number">(BFM-[0-9A-Z]{10})<', complete.text).group(1)
    token = re.search(r'data-testid="order-token">([A-Za-z0-9_-]+)<', complete.text).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
    web.close()
    return Person("guest B", number, token,
                  (number, "Vantablack", "hester.v@example.com", "Orrery", token), cookie)


def signed_in_shopper(sku: str) -> Person:
    user = create_user("ines.w@example.com", name="Ines Wolfsbane")
    token = access_token_issue(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    api.post("/api/v1/cart/items", {"sku": sku, "quantity": 1}, content_type="application/json")
    placed = api.post("/api/v1/checkout", checkout_body(
        {"name": "Ines Wolfsbane", "line1": "3 Gorse Hill", "line2": "", "city": "Ghent",
         "postal_code": "9000", "country": "BE"}), content_type="application/json")
    assert placed.status_code == 201, placed.content
    web = Client()
    web.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={web.cookies[settings.SESSION_COOKIE_NAME].value}"
    number = placed.json()["number"]
    return Person("shopper", number, token, (number, "Wolfsbane", "ines.w@example.com",
                                              "Gorse Hill"), cookie)


def guest_requests(me: Person, others: list[Person]) -> list[tuple[str, str, dict]]:
    mine = {"X-Order-Token": me.token}
    calls = [
        ("GET", f"/api/v1/guest/orders/{me.number}", {"headers": mine}),
        ("GET", "/order/", {}),
        ("GET", "/cart/", {"headers": {"Cookie": me.cookie}} if me.cookie else {}),
    ]
    # the storefront order page: number and token POSTed, with CSRF
    if settings.CSRF_COOKIE_NAME in me.cookie:
        csrf = re.search(rf"{settings.CSRF_COOKIE_NAME}=([^;]+)", me.cookie).group(1)
        form = {"headers": {"Cookie": me.cookie}, "data": {"csrfmiddlewaretoken": csrf}}
        calls.append(("POST", "/order/", {**form, "data": {
            **form["data"], "number": me.number, "token": me.token}}))
        calls += [("POST", "/order/", {**form, "data": {
            **form["data"], "number": other.number, "token": me.token}}) for other in others]
    for other in others:
        calls += [
            ("GET", f"/api/v1/guest/orders/{other.number}", {"headers": mine}),
            ("GET", f"/api/v1/guest/orders/{other.number}", {}),
            ("GET", f"/api/v1/guest/orders/{other.number}",
             {"headers": {"X-Order-Token": me.token[:-2] + "AA"}}),
            ("GET", f"/api/v1/orders/{other.number}", {}),
        ]
    return calls


def shopper_requests(me: Person, others: list[Person]) -> list[tuple[str, str, dict]]:
    web = {"headers": {"Cookie": me.cookie}}
    api = {"headers": {"Authorization": f"Bearer {me.token}"}}
    calls = [
        ("GET", "/api/v1/orders", api),
        ("GET", f"/api/v1/orders/{me.number}", api),
        ("GET", "/account/orders/", web),
        ("GET", f"/account/orders/{me.number}/", web),
        ("GET", "/order/", web),
    ]
    for other in others:
        calls += [
            ("GET", f"/api/v1/guest/orders/{other.number}", api),
            ("GET", f"/api/v1/orders/{other.number}", api),
            ("GET", f"/account/orders/{other.number}/", web),
        ]
    return calls


def check(response, *, forbidden: tuple[str, ...], who: str) -> None:
    assert response.status_code < 500, (who, response.request.url, response.status_code)
    assert_not_shareable(response)
    assert response.headers.get("x-cache-status") != "HIT", (who, response.request.url)
    text = "\n".join(f"{k}: {v}" for k, v in response.headers.items()) + response.text
    asked = response.request.url.raw_path.decode()
    text = text.replace(asked, "")
    leaked = [secret for secret in forbidden if secret in text]
    assert not leaked, f"{who} got {leaked} from {response.request.method} {response.request.url}"


@pytest.fixture
def people(nginx_cache, catalog, shipping_methods):
    mug = catalog.mug.variants.get().sku
    tee = catalog.tee.variants.order_by("position").last().sku
    return [api_guest(nginx_cache, mug), storefront_guest(nginx_cache, tee),
            signed_in_shopper(mug)]


def test_two_guests_and_a_shopper_never_see_each_others_orders(nginx_cache, people, app_log):
    guest_a, guest_b, shopper = people
    everyone = [guest_a, guest_b, shopper]

    def others(me):
        return [p for p in everyone if p is not me]

    def forbidden(me):
        return tuple(s for p in others(me) for s in p.secrets)

    plans = {
        "guest A": (guest_requests(guest_a, others(guest_a)), forbidden(guest_a)),
        "guest B": (guest_requests(guest_b, others(guest_b)), forbidden(guest_b)),
        "shopper": (shopper_requests(shopper, others(shopper)), forbidden(shopper)),
        "stranger": ([("GET", path, {}) for person in everyone
                      for _, path, _ in guest_requests(person, others(person))],
                     tuple(s for p in everyone for s in p.secrets)),
    }
    # the owners' own data comes through the same cache (the absence below means something)
    for guest in (guest_a, guest_b):
        own = nginx_cache.get(f"/api/v1/guest/orders/{guest.number}",
                              headers={"X-Order-Token": guest.token})
        assert own.status_code == 200
        assert guest.secrets[1] in own.text
        check(own, forbidden=forbidden(guest), who=guest.name)
    method, path, kwargs = guest_requests(guest_b, [])[3]
    own_page = nginx_cache.request(method, path, **kwargs)
    assert own_page.status_code == 200, own_page.text[:300]
    assert "Orrery" in own_page.text
    # strictly interleaved, then all four at once
    longest = max(len(requests) for requests, _ in plans.values())
    for index in range(longest):
        for who in ("guest A", "shopper", "guest B", "stranger", "guest A"):
            requests, secrets = plans[who]
            method, path, kwargs = requests[index % len(requests)]
            check(nginx_cache.request(method, path, **kwargs), forbidden=secrets, who=who)
    start = threading.Barrier(len(plans))

    def run(who: str) -> int:
        requests, secrets = plans[who]
        start.wait(timeout=30)
        for _ in range(ROUNDS):
            for method, path, kwargs in requests:
                check(nginx_cache.request(method, path, **kwargs), forbidden=secrets, who=who)
        return ROUNDS * len(requests)

    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        assert min(pool.map(run, plans)) > 0
    logs = nginx_cache.logs()
    assert " HIT" not in logs
    assert "/api/v1/guest/orders/" in logs  # the access log really logs the URIs
    for guest in (guest_a, guest_b):
        assert guest.token not in logs, f"{guest.name}'s token in nginx's logs"
    app_lines = "\n".join(str(vars(record)) for record in app_log.snapshot())
    assert "/api/v1/guest/orders/" in app_lines
    for guest in (guest_a, guest_b):
        assert guest.token not in app_lines, f"{guest.name}'s token in the app's log lines"
