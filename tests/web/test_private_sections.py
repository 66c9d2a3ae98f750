"""Private sections (shop/web/private.py): the version cookie follows the session and the
cart, carries nothing personal, and the sections endpoint answers privately. Django's test
client through the whole middleware stack, real database."""

import json
import re

import pytest
from django.conf import settings

from tests.factories import ALICE, PASSWORD, create_alice

pytestmark = pytest.mark.django_db

COOKIE = settings.SHOP_PRIVATE_VERSION_COOKIE


def version(response) -> str | None:
    morsel = response.cookies.get(COOKIE)
    return None if morsel is None else morsel.value


def sections(client) -> dict:
    response = client.get("/fragments/private")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return json.loads(response.content)


def sign_in(client):
    response = client.post("/account/sign-in/", {"email": ALICE.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def add(client, sku, quantity=1):
    return client.post("/cart/add/", {"sku": sku, "quantity": quantity,
                                      "product": "organic-cotton-tee"}, HTTP_HX_REQUEST="true")


def in_stock_sku(catalog) -> str:
    return next(v.sku for v in catalog.tee.variants.order_by("position") if v.available > 1)


def test_an_anonymous_visitor_gets_no_version_and_an_empty_section(catalog, client):
    page = client.get("/products/")
    assert COOKIE not in page.cookies
    assert "set-cookie" not in str(page.headers).lower()
    answer = sections(client)
    assert answer["signed_in"] is False
    assert answer["name"] == ""
    assert answer["cart_count"] == 0
    assert answer["csrf_token"]  # for the forms of cached pages
    assert COOKIE not in client.cookies


def test_sign_in_sets_a_script_readable_version_with_nothing_personal(catalog, client):
    alice = create_alice()
    response = sign_in(client)
    morsel = response.cookies[COOKIE]
    assert re.fullmatch(r"[0-9a-f]{12}", morsel.value)
    assert not morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    # a random version: nothing of the account in it
    assert morsel.value != str(alice.pk)
    assert morsel.value not in str(alice.public_id)
    for personal in (alice.email, "alice", "liddell", str(alice.public_id)):
        assert personal.lower() not in morsel.OutputString().lower()
    answer = sections(client)
    assert answer == {**answer, "signed_in": True, "name": "Alice", "cart_count": 0}
    # nothing changed: reads leave the version alone
    assert version(client.get("/cart/")) is None
    assert version(client.get("/fragments/private")) is None


def test_each_cart_change_moves_the_version(catalog, client):
    sku = in_stock_sku(catalog)
    first = version(add(client, sku))
    assert first
    second = version(add(client, sku))
    assert second
    assert second != first
    assert sections(client)["cart_count"] == 2
    third = version(client.post("/cart/remove/", {"sku": sku}, HTTP_HX_REQUEST="true"))
    assert third
    assert third not in (first, second)
    assert sections(client)["cart_count"] == 0


def test_sign_out_drops_the_version_and_asks_the_browser_to_forget(catalog, client):
    create_alice()
    sign_in(client)
    response = client.post("/account/sign-out/")
    assert response.status_code == 200
    assert response.cookies[COOKIE]["max-age"] == 0
    assert '"storage"' in response["Clear-Site-Data"]
    assert sections(client)["signed_in"] is False


def test_an_ended_session_drops_the_version(catalog, client):
    create_alice()
    sign_in(client)
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()  # expired, erased, or ended elsewhere
    response = client.get("/fragments/private")
    assert json.loads(response.content)["signed_in"] is False
    assert response.cookies[COOKIE]["max-age"] == 0


def test_a_signed_in_visitor_without_a_version_gets_one(catalog, client):
    create_alice()
    sign_in(client)
    del client.cookies[COOKIE]  # e.g. signed in before the version cookie existed
    assert version(client.get("/cart/"))
