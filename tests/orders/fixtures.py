"""Fixtures shared by tests/cart and tests/orders (imported by both conftests): two shoppers,
Alice and Bob, and ways to be each of them through the API and the storefront."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client

from shop.accounts.tokens import access_token_issue
from tests.factories import create_user

PASSWORD = "correct horse battery staple"
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"

ALICE_ADDRESS = {
    "name": "Alice Liddell",
    "line1": "12 Rabbit Hole Lane",
    "line2": "Flat 3",
    "city": "Oxford",
    "postal_code": "OX1 4AW",
    "country": "GB",
}
BOB_ADDRESS = {
    "name": "Bob Marchhare",
    "line1": "7 Teapot Street",
    "line2": "",
    "city": "Lyon",
    "postal_code": "69002",
    "country": "FR",
}


def checkout_body(address: dict | None = None, *, card: str = GOOD_CARD, method="standard",
                  **extra) -> dict:
    return {
        "shipping_address": dict(address or ALICE_ADDRESS),
        "shipping_method": method,
        "payment": {"card_number": card, "exp_month": 12, "exp_year": 2099, "cvc": "123"},
        **extra,
    }


@pytest.fixture(autouse=True)
def shipping_methods(request):
    """The shipping methods that a data migration creates. A transactional test (live server,
    threads) flushes every table when it ends, so the tests after it would lose them."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from shop.shipping.models import ShippingMethod

    defaults = importlib.import_module("shop.shipping.migrations.0002_default_methods")
    for code, name, description, price, position in defaults.DEFAULT_METHODS:
        ShippingMethod.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description, "price": price,
                      "position": position},
        )


def api_client(user) -> Client:
    """A test client that speaks to the API as `user`, by bearer token."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {access_token_issue(user=user)}")
    return client


@pytest.fixture
def alice(db):
    return create_user("alice@example.com", PASSWORD, name="Alice Liddell")


@pytest.fixture
def bob(db):
    return create_user("bob@example.com", PASSWORD, name="Bob Marchhare")


@pytest.fixture
def alice_api(alice) -> Client:
    return api_client(alice)


@pytest.fixture
def bob_api(bob) -> Client:
    return api_client(bob)


@pytest.fixture
def alice_web(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_web(bob) -> Client:
    client = Client()
    client.force_login(bob)
    return client
