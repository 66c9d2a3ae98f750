"""One address model (issue 14): one country list, one set of limits, postal codes per
country, state/province in the US and Canada, an optional phone. The rules are the same in
the address book (storefront form), the storefront checkout and the API checkout: each case
below runs through all three and must get the same verdict."""

import pytest
from django.test import Client

from shop.accounts.models import Address
from shop.core.addresses import COUNTRIES, POSTAL_CODES, ShippingAddress
from shop.core.errors import InvalidInput
from tests.factories import checkout_body, create_user

BASE = {"name": "Pat Example", "line1": "1 Long Road", "line2": "", "city": "Town"}

GOOD = [
    ("GB", "SW1A 1AA", "", "SW1A 1AA"), ("GB", "sw1a1aa", "", "SW1A 1AA"),
    ("GB", "M1 1AE", "", "M1 1AE"), ("US", "94105", "CA", "94105"),
    ("US", "94105-1234", "ny", "94105-1234"), ("CA", "k1a0b1", "ON", "K1A 0B1"),
    ("DE", "10115", "", "10115"), ("NL", "1012 ab", "", "1012 AB"),
    ("PL", "00-950", "", "00-950"), ("PT", "1000-001", "", "1000-001"),
    ("BG", "1000", "", "1000"), ("IE", "D02 X285", "", "D02 X285"),
    ("SE", "111 22", "", "111 22"), ("CH", "8001", "", "8001"), ("NO", "0150", "", "0150"),
]
BAD = [
    ("GB", "12345", ""), ("GB", "SW1A", ""), ("US", "9410", "CA"), ("US", "ABCDE", "CA"),
    ("US", "94105", ""), ("US", "94105", "XX"), ("CA", "K1A 0B1", ""), ("CA", "12345", "ON"),
    ("DE", "1011", ""), ("NL", "1012", ""), ("PL", "00950", ""), ("FR", "7500", ""),
    ("BG", "10000", ""), ("JP", "100-0001", ""),
]


def test_one_country_list_for_everything():
    assert len(COUNTRIES) == 34
    assert set(POSTAL_CODES) == set(COUNTRIES)  # every country has its postal-code rule
    choices = dict(Address._meta.get_field("country").choices)
    assert choices == COUNTRIES


@pytest.mark.parametrize(("country", "code", "state", "stored"), GOOD)
def test_good_addresses_are_normalised(country, code, state, stored):
    address = ShippingAddress.clean(**BASE, country=country.lower(), postal_code=code,
                                    state=state)
    assert address.postal_code == stored
    assert address.country == country
    assert address.state == state.upper()


@pytest.mark.parametrize(("country", "code", "state"), BAD)
def test_bad_addresses_are_refused(country, code, state):
    with pytest.raises(InvalidInput):
        ShippingAddress.clean(**BASE, country=country, postal_code=code, state=state)


@pytest.mark.parametrize("phone", ["+44 20 7946 0958", "(415) 555-0100", "0123456789"])
def test_phones(phone):
    assert ShippingAddress.clean(**BASE, country="DE", postal_code="10115", phone=phone).phone


@pytest.mark.parametrize("phone", ["call me", "12", "+44 20 7946 0958 ext. 12 <b>"])
def test_bad_phones(phone):
    with pytest.raises(InvalidInput):
        ShippingAddress.clean(**BASE, country="DE", postal_code="10115", phone=phone)


def test_limits_are_the_same_everywhere():
    with pytest.raises(InvalidInput):
        ShippingAddress.clean(**{**BASE, "city": "x" * 101}, country="DE", postal_code="10115")
    for name in ("name", "line1", "line2", "city", "state", "postal_code", "phone"):
        from shop.core.addresses import FIELD_LIMITS

        assert Address._meta.get_field(name).max_length == FIELD_LIMITS[name]


def _verdicts(client_web, client_api, country, code, state, catalog) -> tuple[bool, bool, bool]:
    """(address book, storefront checkout, API checkout) accepted the address?"""
    data = {**BASE, "country": country, "postal_code": code, "state": state, "phone": ""}
    before = Address.objects.count()
    client_web.post("/account/addresses/new/", data)
    book = Address.objects.count() == before + 1
    step = client_web.post("/checkout/address/", data)
    storefront = step.status_code == 302 and step["Location"] == "/checkout/delivery/"
    mug = catalog.mug.variants.get().sku
    client_api.post("/api/v1/cart/items", {"sku": mug, "quantity": 1},
                    content_type="application/json")
    response = client_api.post("/api/v1/checkout", checkout_body(data),
                               content_type="application/json")
    return book, storefront, response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(("country", "code", "state", "ok"), [
    ("GB", "12345", "", False), ("GB", "OX1 4AW", "", True), ("BG", "1000", "", True),
    ("US", "94105", "", False), ("US", "94105", "CA", True), ("CA", "K1A 0B1", "QC", True),
])
def test_the_address_book_and_both_checkouts_agree(catalog, country, code, state, ok):
    from shop.accounts.tokens import access_token_issue

    user = create_user(f"agree-{country.lower()}-{code[:2]}@example.com")
    web = Client()
    web.force_login(user)
    web.post("/cart/add/", {"sku": catalog.mug.variants.get().sku, "quantity": 1})
    api = Client(HTTP_AUTHORIZATION=f"Bearer {access_token_issue(user=user)}")
    assert _verdicts(web, api, country, code, state, catalog) == (ok, ok, ok)


@pytest.mark.django_db
def test_the_address_book_names_the_field_that_is_wrong(catalog):
    user = create_user("fields@example.com")
    web = Client()
    web.force_login(user)
    page = web.post("/account/addresses/new/", {**BASE, "country": "GB", "state": "",
                                                "postal_code": "12345"}).content.decode()
    assert 'id="id_postal_code_error"' in page
    assert "valid postcode for United Kingdom" in page
    page = web.post("/account/addresses/new/", {**BASE, "country": "US",
                                                "postal_code": "94105"}).content.decode()
    assert 'id="id_state_error"' in page
    assert not Address.objects.exists()
