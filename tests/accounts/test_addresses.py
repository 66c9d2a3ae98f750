"""Saved addresses (docs/threats.md cases 12 and 13): only through shop/policy/access.py; another
shopper's address is a 404 identical to a missing one, for every method."""

import re

import pytest
from django.test import Client

from shop.accounts.models import Address
from shop.accounts.principal import ANONYMOUS, Principal
from shop.core.errors import NotFound
from shop.policy.access import access_address, address_list_for

REQUEST_ID = re.compile(rb"[0-9a-f]{32}")

ADDRESS = {
    "name": "Ann Example",
    "line1": "1 Secret Lane",
    "line2": "",
    "city": "Utrecht",
    "postal_code": "3511 AB",
    "country": "NL",
}


@pytest.fixture
def ann_address(ann):
    return Address.objects.create(user=ann, is_default=True, **ADDRESS)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_edit_delete(ann):
    client = signed_in(ann)
    response = client.post("/account/addresses/new/", ADDRESS)
    assert response.status_code == 302
    first = Address.objects.get(user=ann)
    assert first.is_default  # the only address is the default
    client.post(
        "/account/addresses/new/", {**ADDRESS, "line1": "2 Other Street", "is_default": "on"}
    )
    first.refresh_from_db()
    second = Address.objects.get(user=ann, line1="2 Other Street")
    assert second.is_default
    assert not first.is_default
    page = client.get("/account/addresses/")
    assert b"1 Secret Lane" in page.content
    assert b"2 Other Street" in page.content
    response = client.post(f"/account/addresses/{first.pk}/", {**ADDRESS, "city": "Delft"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.city == "Delft"
    client.post(f"/account/addresses/{second.pk}/delete/")
    first.refresh_from_db()
    assert first.is_default  # the default passes on
    assert list(Address.objects.filter(user=ann)) == [first]


def test_invalid_address_shows_field_errors(ann):
    response = signed_in(ann).post(
        "/account/addresses/new/", {**ADDRESS, "postal_code": "<script>", "country": "XX"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_postal_code_error"' in html
    assert 'id="id_country_error"' in html
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [("get", "", None), ("post", "", ADDRESS), ("post", "delete/", {})],
)
def test_another_shoppers_address_is_a_404_like_a_missing_one(
    ann, bob, ann_address, method, suffix, data
):
    client = signed_in(bob)
    call = getattr(client, method)
    theirs = call(f"/account/addresses/{ann_address.pk}/{suffix}", data or {})
    missing = call(f"/account/addresses/{ann_address.pk + 1000}/{suffix}", data or {})
    assert theirs.status_code == missing.status_code == 404
    assert REQUEST_ID.sub(b"", theirs.content) == REQUEST_ID.sub(b"", missing.content)
    assert b"Secret Lane" not in theirs.content
    assert theirs["Cache-Control"] == "private, no-store"
    ann_address.refresh_from_db()
    assert ann_address.city == "Utrecht"  # untouched


def test_lists_never_include_another_shoppers_addresses(ann, bob, ann_address):
    page = signed_in(bob).get("/account/addresses/")
    assert b"Secret Lane" not in page.content
    assert list(address_list_for(viewer=Principal(user=bob, via="session"))) == []
    assert list(address_list_for(viewer=ANONYMOUS)) == []


def test_access_address_scopes_by_viewer(ann, bob, ann_address):
    assert access_address(viewer=Principal(user=ann, via="session"), address_id=ann_address.pk)
    for viewer in (Principal(user=bob, via="session"), ANONYMOUS):
        with pytest.raises(NotFound):
            access_address(viewer=viewer, address_id=ann_address.pk)


def test_owner_in_the_form_is_ignored(ann, bob):
    signed_in(bob).post("/account/addresses/new/", {**ADDRESS, "user": ann.pk, "user_id": ann.pk})
    assert Address.objects.get().user_id == bob.pk
