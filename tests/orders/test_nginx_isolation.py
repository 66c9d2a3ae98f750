"""Cart, checkout and order routes through a real, hostile nginx proxy_cache (URL-keyed, ignores
Vary and Set-Cookie), the misconfiguration behind the incident this shop exists for
(docs/contract.md §5.5, docs/threats.md cases 1, 2 and 18).

Two shoppers, Alice and Bob, each with a placed order, a cart and a checkout in progress,
request every cart, checkout and order route (storefront with their session cookie, API with
their bearer token), interleaved and concurrently, including each other's order URLs, and a
stranger does the same. Nobody ever receives a byte of the other's data, nothing is stored
(no HIT in nginx's log), and every answer is `private, no-store`.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client

from shop.accounts.tokens import access_token_issue
from shop.catalog.models import Variant
from tests.factories import checkout_body, create_product, create_user
from tests.support.http import assert_not_shareable

pytestmark = [pytest.mark.nginx, pytest.mark.django_db(transaction=True)]

ROUNDS = 3


@dataclass
class Shopper:
    name: str
    cookie: str
    token: str
    number: str
    secrets: tuple[str, ...]
    cart_sku: str


def make_shopper(name: str, email: str, address: dict, buy: str, keep: str) -> Shopper:
    user = create_user(email, name=name)
    token = access_token_issue(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    api.post("/api/v1/cart/items", {"sku": buy, "quantity": 1}, content_type="application/json")
    placed = api.post("/api/v1/checkout", checkout_body(address), content_type="application/json")
    assert placed.status_code == 201, placed.content
    number = placed.json()["number"]
    api.post("/api/v1/cart/items", {"sku": keep, "quantity": 1}, content_type="application/json")
    web = Client()
    web.force_login(user)
    assert web.post("/checkout/address/", address).status_code == 302
    assert web.post("/checkout/delivery/", {"shipping_method": "express"}).status_code == 302
    cookie = f"{settings.SESSION_COOKIE_NAME}={web.cookies[settings.SESSION_COOKIE_NAME].value}"
    kept = Variant.objects.select_related("product").get(sku=keep).product.name
    secrets = (number, name, name.split()[1], email, address["line1"], address["city"], kept)
    return Shopper(name, cookie, token, number, secrets, keep)


@pytest.fixture
def shoppers(catalog):
    def sku(product):
        return product.variants.order_by("position").last().sku

    # what each keeps in the cart is a product only they have in a cart
    jam = create_product("Quince Jam Jar", category=catalog.home, variants=[{"price": "6.00"}])
    candle = create_product("Juniper Candle", category=catalog.home,
                            variants=[{"price": "18.00"}])
    alice = make_shopper(
        "Aurelia Wintergreen", "aurelia.w@example.com",
        {"name": "Aurelia Wintergreen", "line1": "4 Quinceberry Row", "line2": "",
         "city": "Ghent", "postal_code": "9000", "country": "BE"},
        buy=sku(catalog.tee), keep=sku(jam),
    )
    bob = make_shopper(
        "Bartholomew Oakhurst", "bart.oak@example.com",
        {"name": "Bartholomew Oakhurst", "line1": "88 Juniper Wharf", "line2": "",
         "city": "Porto", "postal_code": "4050-001", "country": "PT"},
        buy=sku(catalog.mug), keep=sku(candle),
    )
    return alice, bob


def requests_for(me: Shopper, other: Shopper) -> list[tuple[str, str, dict]]:
    """(method, path, httpx kwargs) for every cart, checkout and order route, as `me`; the
    paths include `other`'s order URLs, which must answer like missing ones."""
    web = {"headers": {"Cookie": me.cookie}}
    api = {"headers": {"Authorization": f"Bearer {me.token}"}}
    return [
        ("GET", "/cart/", web),
        ("GET", "/fragments/cart-count", web),
        ("GET", "/fragments/add-to-cart/organic-cotton-tee", web),
        ("GET", "/checkout/", web),
        ("GET", "/checkout/address/", web),
        ("GET", "/checkout/delivery/", web),
        ("GET", "/checkout/payment/", web),
        ("GET", "/checkout/review/", web),
        ("GET", f"/checkout/complete/{me.number}/", web),
        ("GET", f"/checkout/complete/{other.number}/", web),
        ("GET", "/account/orders/", web),
        ("GET", f"/account/orders/{me.number}/", web),
        ("GET", f"/account/orders/{other.number}/", web),
        ("GET", "/api/v1/cart", api),
        ("POST", "/api/v1/cart/items", {**api, "json": {"sku": me.cart_sku, "quantity": 1}}),
        ("PATCH", f"/api/v1/cart/items/{me.cart_sku}", {**api, "json": {"quantity": 1}}),
        ("GET", "/api/v1/orders", api),
        ("GET", f"/api/v1/orders/{me.number}", api),
        ("GET", f"/api/v1/orders/{other.number}", api),
        ("POST", "/api/v1/checkout", {**api, "json": checkout_body(), "headers": {
            **api["headers"], "Idempotency-Key": f"nginx-{me.number}"}}),
    ]


def stranger_requests(people: list[Shopper]) -> list[tuple[str, str, dict]]:
    paths = {path for person in people for _, path, _ in requests_for(person, person)}
    return [("GET", path, {}) for path in sorted(paths)]


def check(response, *, forbidden: tuple[str, ...], who: str) -> None:
    assert response.status_code < 500, (who, response.request.url, response.status_code)
    assert_not_shareable(response)
    assert response.headers.get("x-cache-status") != "HIT", (who, response.request.url)
    text = "\n".join(f"{k}: {v}" for k, v in response.headers.items()) + response.text
    # a sign-in redirect echoes the path asked for; that is the asker's own URL, not data
    asked = response.request.url.raw_path.decode()
    text = text.replace(quote(asked, safe=""), "").replace(asked, "")
    leaked = [secret for secret in forbidden if secret in text]
    assert not leaked, f"{who} got {leaked} from {response.request.method} {response.request.url}"


def test_two_shoppers_and_a_stranger_never_see_each_others_data(nginx_cache, shoppers):
    alice, bob = shoppers
    plans = {
        "alice": (requests_for(alice, bob), bob.secrets),
        "bob": (requests_for(bob, alice), alice.secrets),
        "stranger": (stranger_requests([alice, bob]), alice.secrets + bob.secrets),
    }
    # first strictly interleaved: A, B, stranger on each route in turn
    for index in range(len(plans["alice"][0])):
        for who in ("alice", "bob", "stranger", "alice"):
            requests, forbidden = plans[who]
            method, path, kwargs = requests[index % len(requests)]
            check(nginx_cache.request(method, path, **kwargs), forbidden=forbidden, who=who)

    # then all three at once, several rounds, each on its own connection
    start = threading.Barrier(3)

    def run(who: str) -> int:
        requests, forbidden = plans[who]
        start.wait(timeout=30)
        count = 0
        for _ in range(ROUNDS):
            for method, path, kwargs in requests:
                check(nginx_cache.request(method, path, **kwargs), forbidden=forbidden, who=who)
                count += 1
        return count

    with ThreadPoolExecutor(max_workers=3) as pool:
        counts = list(pool.map(run, plans))
    assert min(counts) > 0
    assert " HIT" not in nginx_cache.logs()


def test_owners_get_their_own_data_through_the_cache(nginx_cache, shoppers):
    """The absence above means something: through the same cache, each owner's own data is
    there."""
    alice, _ = shoppers
    web = {"Cookie": alice.cookie}
    assert alice.number in nginx_cache.get(f"/account/orders/{alice.number}/", headers=web).text
    assert "Quinceberry" in nginx_cache.get("/checkout/delivery/", headers=web).text
    api = {"Authorization": f"Bearer {alice.token}"}
    assert alice.number in nginx_cache.get("/api/v1/orders", headers=api).text
