"""Who may see which cart and order (docs/threats.md cases 12, 13, 14, 16, 17).

Every cart, checkout and order route, on the storefront and in the API, is called by three
actors: anonymous, the owner (Alice) and another shopper (Bob). The assertions are about what
is *absent*: none of Alice's identifying data (name, email, order number, address, her cart's
item) may appear in a response to Bob or to a stranger, whatever the status code. The owner's
responses must contain it, which shows that the absence is meaningful.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.test import Client

from shop.core.pagination import Page
from shop.monitoring.models import SecurityEvent
from shop.orders.models import Order
from shop.policy import access
from tests.factories import ALICE_ADDRESS, BOB_ADDRESS, checkout_body
from tests.support.api import api_call

pytestmark = pytest.mark.django_db

MISSING = "BFM-2222222222"


@dataclass
class World:
    alice_number: str
    bob_number: str
    alice_secrets: list[str]
    bob_secrets: list[str]
    clients: dict
    hoodie: str
    mug: str


def _place(api_client, web_client, sku, address) -> str:
    api_client.post("/api/v1/cart/items", {"sku": sku, "quantity": 1},
                    content_type="application/json")
    response = api_client.post("/api/v1/checkout", checkout_body(address),
                               content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["number"]


@pytest.fixture
def world(catalog, alice_api, bob_api, alice_web, bob_web) -> World:
    hoodie = catalog.hoodie.variants.get().sku
    mug = catalog.mug.variants.get().sku
    tee = catalog.tee.variants.order_by("position").last().sku
    alice_number = _place(alice_api, alice_web, tee, ALICE_ADDRESS)
    bob_number = _place(bob_api, bob_web, mug, BOB_ADDRESS)
    # Alice has something in her cart and a checkout in progress on her browser
    alice_api.post("/api/v1/cart/items", {"sku": hoodie, "quantity": 1},
                   content_type="application/json")
    assert alice_web.post("/checkout/address/", ALICE_ADDRESS).status_code == 302
    return World(
        alice_number=alice_number,
        bob_number=bob_number,
        alice_secrets=[alice_number, "Alice", "alice@example.com", "Rabbit Hole", "Oxford",
                       "OX1 4AW", hoodie],
        bob_secrets=[bob_number, "Bob Marchhare", "bob@example.com", "Teapot", "Lyon"],
        clients={"anonymous": (Client(), Client()), "owner": (alice_web, alice_api),
                 "other": (bob_web, bob_api)},
        hoodie=hoodie,
        mug=mug,
    )


def web_routes(w: World) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", "/cart/", None),
        ("get", "/fragments/cart-count", None),
        ("get", "/fragments/add-to-cart/stoneware-mug", None),
        ("post", "/cart/add/", {"sku": w.mug, "quantity": 1, "product": "stoneware-mug"}),
        ("post", "/cart/update/", {"sku": w.hoodie, "quantity": 2}),
        ("post", "/cart/remove/", {"sku": w.hoodie}),
        ("get", "/checkout/", None),
        ("get", "/checkout/address/", None),
        ("get", "/checkout/delivery/", None),
        ("get", "/checkout/payment/", None),
        ("get", "/checkout/review/", None),
        ("post", "/checkout/place/", {"cart": "x"}),
        ("get", f"/checkout/complete/{w.alice_number}/", None),
        ("get", "/account/orders/", None),
        ("get", f"/account/orders/{w.alice_number}/", None),
    ]


def api_routes(w: World) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", "/api/v1/cart", None),
        ("post", "/api/v1/cart/items", {"sku": w.mug, "quantity": 1}),
        ("patch", f"/api/v1/cart/items/{w.hoodie}", {"quantity": 2}),
        ("delete", f"/api/v1/cart/items/{w.hoodie}", None),
        ("post", "/api/v1/checkout", checkout_body(BOB_ADDRESS)),
        ("get", "/api/v1/orders", None),
        ("get", f"/api/v1/orders/{w.alice_number}", None),
    ]


def call(client, method, path, data):
    if path.startswith("/api/"):
        return api_call(client, method, path, data)
    return getattr(client, method)(path, data or {})


def text_of(response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + response.content.decode(errors="replace")


@pytest.mark.parametrize("actor", ["anonymous", "other"])
@pytest.mark.parametrize("interface", ["web", "api"])
def test_no_route_shows_alices_data_to_anyone_else(world, actor, interface):
    web, api = world.clients[actor]
    client = web if interface == "web" else api
    routes = web_routes(world) if interface == "web" else api_routes(world)
    for method, path, data in routes:
        response = call(client, method, path, data)
        assert response.status_code < 500, (path, response.status_code)
        assert response["Cache-Control"] == "private, no-store", path
        # a sign-in redirect echoes the requested path (?next=...): that is not a leak
        body = text_of(response).replace(quote(path, safe=""), "").replace(path, "")
        leaked = [secret for secret in world.alice_secrets if secret in body]
        assert not leaked, f"{actor} {method.upper()} {path} -> {response.status_code}: {leaked}"
        if actor == "anonymous" and interface == "api":
            assert response.status_code == 401, path
        if actor == "anonymous" and interface == "web" and (
            path.startswith(("/checkout", "/account"))
        ):
            assert response.status_code == 302
            assert "/account/sign-in/" in response["Location"]


def test_the_owner_sees_her_own_data_on_the_same_routes(world):
    web, api = world.clients["owner"]
    assert world.alice_number in api.get(f"/api/v1/orders/{world.alice_number}").content.decode()
    assert world.alice_number in api.get("/api/v1/orders").content.decode()
    assert world.hoodie in api.get("/api/v1/cart").content.decode()
    page = web.get(f"/account/orders/{world.alice_number}/").content.decode()
    assert "Rabbit Hole" in page
    assert world.alice_number in page
    assert world.alice_number in web.get("/account/orders/").content.decode()
    assert "Heavyweight Hoodie" in web.get("/cart/").content.decode()
    assert "Rabbit Hole" in web.get("/checkout/delivery/").content.decode()
    complete = web.get(f"/checkout/complete/{world.alice_number}/").content.decode()
    assert "alice@example.com" in complete
    # ...and never Bob's
    for response in (api.get("/api/v1/orders"), web.get("/account/orders/"), web.get("/cart/")):
        assert not [s for s in world.bob_secrets if s in text_of(response)]


def without_request_id(response) -> str:
    return re.sub(r"[0-9a-f]{32}", "<id>", response.content.decode())


@pytest.mark.parametrize("interface", ["web", "api"])
def test_anothers_order_is_exactly_like_a_missing_one(world, interface):
    web, api = world.clients["other"]
    if interface == "api":
        theirs = api.get(f"/api/v1/orders/{world.alice_number}")
        missing = api.get(f"/api/v1/orders/{MISSING}")
        garbage = api.get("/api/v1/orders/not-a-number")
        assert theirs.json()["error"]["code"] == "not_found"
        assert without_request_id(garbage) == without_request_id(missing)
    else:
        theirs = web.get(f"/account/orders/{world.alice_number}/")
        missing = web.get(f"/account/orders/{MISSING}/")
        also = web.get(f"/checkout/complete/{world.alice_number}/")
        assert also.status_code == 404
        assert without_request_id(also) == without_request_id(
            web.get(f"/checkout/complete/{MISSING}/")
        )
    assert theirs.status_code == missing.status_code == 404
    assert without_request_id(theirs) == without_request_id(missing)
    assert sorted(k for k in theirs.headers if k.lower() != "x-request-id") == sorted(
        k for k in missing.headers if k.lower() != "x-request-id"
    )


def test_other_methods_on_anothers_order_answer_like_a_missing_one(world):
    _, api = world.clients["other"]
    for method in ("post", "put", "patch", "delete"):
        theirs = getattr(api, method)(f"/api/v1/orders/{world.alice_number}")
        missing = getattr(api, method)(f"/api/v1/orders/{MISSING}")
        assert theirs.status_code == missing.status_code == 405
        assert without_request_id(theirs) == without_request_id(missing)
    assert Order.objects.get(number=world.alice_number).status == "paid"


@pytest.mark.parametrize("suffix", ["x.css", "x.js", ";x.css", "%2Fx.css", "..%2Fx.css"])
def test_static_looking_suffixes_on_order_pages_are_plain_404s(world, suffix):
    web, _ = world.clients["owner"]
    for base in (f"/account/orders/{world.alice_number}/", "/account/orders/", "/cart/"):
        response = web.get(base + suffix)
        assert response.status_code == 404, base + suffix
        assert world.alice_number not in response.content.decode()
        assert "Rabbit Hole" not in response.content.decode()


# --- the ownership guard (docs/threats.md case 17): a planted bug is stopped before it leaks


def guard_events() -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind="ownership_guard_tripped"))


def assert_stopped(response, world):
    assert response.status_code == 500
    assert response["Cache-Control"] == "private, no-store"
    body = text_of(response)
    assert not [s for s in world.alice_secrets if s in body], body
    assert "Something went wrong" in body


def test_guard_stops_a_planted_bug_in_order_access(world, monkeypatch):
    def leaky_access_order(*, viewer, number, with_lines=True):  # ignores the viewer: the bug
        return Order.objects.prefetch_related("lines").get(number=number)

    monkeypatch.setattr(access, "access_order", leaky_access_order)
    monkeypatch.setattr("shop.web.views.orders.access_order", leaky_access_order)
    web, api = world.clients["other"]

    assert_stopped(api.get(f"/api/v1/orders/{world.alice_number}"), world)
    assert_stopped(web.get(f"/account/orders/{world.alice_number}/"), world)
    events = guard_events()
    assert len(events) == 2
    bob_id = Order.objects.get(number=world.bob_number).user_id
    assert {event.user_id for event in events} == {bob_id}
    assert events[0].details["objects"]
    assert events[0].details["route"] in (
        "api:order_detail", "web:order_detail"
    )
    # the owner is unaffected by the same bug
    _owner_web, owner_api = world.clients["owner"]
    assert owner_api.get(f"/api/v1/orders/{world.alice_number}").status_code == 200


def test_guard_stops_a_planted_bug_in_the_order_list(world, monkeypatch):
    def leaky_list(*, viewer, cursor=None, limit=20, with_lines=False):
        everyone = list(Order.objects.prefetch_related("lines"))
        return Page(items=everyone, next_cursor=None)

    monkeypatch.setattr(access, "order_list_for", leaky_list)
    monkeypatch.setattr("shop.web.views.orders.order_list_for", leaky_list)
    web, api = world.clients["other"]
    assert_stopped(api.get("/api/v1/orders"), world)
    assert_stopped(web.get("/account/orders/"), world)
    assert len(guard_events()) == 2


def test_guard_stops_a_planted_bug_in_cart_access(world, monkeypatch):
    from shop.cart.models import Cart

    alice_cart = Cart.objects.get(user__email="alice@example.com")

    def leaky_cart_for(*, viewer, session=None, for_update=False):
        return Cart.objects.get(pk=alice_cart.pk)

    monkeypatch.setattr("shop.api.cart.cart_for", leaky_cart_for)
    monkeypatch.setattr("shop.web.views.cart.cart_for", leaky_cart_for)
    web, api = world.clients["other"]
    assert_stopped(api.get("/api/v1/cart"), world)
    assert_stopped(web.get("/cart/"), world)
    anonymous_web, _ = world.clients["anonymous"]
    assert_stopped(anonymous_web.get("/cart/"), world)
    assert len(guard_events()) == 3


def test_guard_is_quiet_on_honest_traffic(world):
    web, api = world.clients["owner"]
    for response in (api.get("/api/v1/orders"), web.get("/account/orders/"), web.get("/cart/"),
                     api.get(f"/api/v1/orders/{world.alice_number}")):
        assert response.status_code == 200
    assert guard_events() == []


# --- guest orders (issue 14): the token, and only the token, opens one; the routes never open
# an account's order, whoever asks


GUEST_ADDRESS = {"name": "Gwendolyn Guestley", "line1": "5 Larkspur Close", "line2": "",
                 "city": "York", "postal_code": "YO1 7HH", "country": "GB"}


@pytest.fixture
def guest_order(world) -> dict:
    response = Client().post("/api/v1/guest/checkout", {
        "email": "gwendolyn@example.com", "items": [{"sku": world.mug, "quantity": 1}],
        "shipping_address": GUEST_ADDRESS, "shipping_method": "standard",
        "payment": checkout_body()["payment"],
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


GUEST_SECRETS = ("Guestley", "Larkspur", "gwendolyn@example.com", "YO1 7HH")


@pytest.mark.parametrize("actor", ["anonymous", "owner", "other"])
def test_guest_order_routes_matrix(world, guest_order, actor):
    """Every actor (a stranger, Alice, Bob), by API and storefront: without the token, with a
    wrong one, or asking the guest routes for Alice's own account order, the same 404 as a
    missing number; with the token, the guest order (whoever holds it)."""
    web, api = world.clients[actor]
    number, token = guest_order["number"], guest_order["order_token"]
    refused = [
        api.get(f"/api/v1/guest/orders/{number}"),
        api.get(f"/api/v1/guest/orders/{number}", HTTP_X_ORDER_TOKEN="w" * 43),
        api.get(f"/api/v1/guest/orders/{world.alice_number}", HTTP_X_ORDER_TOKEN=token),
        api.get(f"/api/v1/guest/orders/{MISSING}", HTTP_X_ORDER_TOKEN=token),
        api.get(f"/api/v1/orders/{number}"),  # a guest order is nobody's account order
    ]
    missing = api.get(f"/api/v1/guest/orders/{MISSING}", HTTP_X_ORDER_TOKEN="w" * 43)
    for response in refused:
        assert response.status_code == (401 if response is refused[4] and actor ==
                                         "anonymous" else 404)
        assert response["Cache-Control"] == "private, no-store"
        assert not [s for s in GUEST_SECRETS + tuple(world.alice_secrets[:5])
                    if s in text_of(response)]
    assert {without_request_id(r) for r in refused[:4]} == {without_request_id(missing)}
    pages = [web.post("/order/", {"number": number, "token": "w" * 43}),
             web.post("/order/", {"number": world.alice_number, "token": token}),
             web.get(f"/account/orders/{number}/")]
    assert all(p.status_code in (302, 404) for p in pages)
    assert not [s for p in pages for s in GUEST_SECRETS if s in text_of(p)]
    shown = api.get(f"/api/v1/guest/orders/{number}", HTTP_X_ORDER_TOKEN=token)
    assert shown.status_code == 200
    assert "Larkspur" in shown.content.decode()
    page = web.post("/order/", {"number": number, "token": token})
    assert page.status_code == 200
    assert "Larkspur" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    # and the guest's order never shows in an account's lists
    assert number not in api.get("/api/v1/orders").content.decode()
