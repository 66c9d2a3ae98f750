"""After an erasure, a grep of the database (every text column of every table, sessions
decoded), of the log file and of the server-side cache (keys and values; local memory or Redis)
for the erased email address finds nothing; nor their name or street in the database.

The shopper first does everything that leaves traces: registers, fails a sign-in, signs in on
the API and the storefront, saves an address, fills a cart, checks out, opts in to marketing,
is searched for by email on the staff dashboard, and exports their data."""

import json

from django.test import Client
from django.urls import reverse

from shop.accounts.models import User
from shop.accounts.throttle import email_fingerprint
from shop.monitoring.models import AuditEvent
from tests.factories import checkout_body, staff_user
from tests.support.outbox import deliver_outbox

from .conftest import PASSWORD, api_call, fresh_ip
from .support import cache_entries, cache_text, database_text, log_file

EMAIL = "zebedee.fairweather@example.com"
NAME = "Zebedee Fairweather"
STREET = "Quillington Crescent"
ADDRESS = {"name": NAME, "line1": f"5 {STREET}", "line2": "", "city": "Oxford",
           "postal_code": "OX2 6GG", "country": "GB"}


def leave_traces(client, catalog) -> int:
    assert api_call(client, "POST", "/api/v1/auth/register",
                    {"email": EMAIL, "password": PASSWORD, "name": NAME}).status_code == 201
    assert api_call(client, "POST", "/api/v1/auth/token",
                    {"email": EMAIL, "password": "wrong password"}).status_code == 401
    tokens = api_call(client, "POST", "/api/v1/auth/token",
                      {"email": EMAIL.upper(), "password": PASSWORD}).json()
    access = tokens["access"]
    sku = catalog.mug.variants.first().sku
    assert api_call(client, "POST", "/api/v1/cart/items", {"sku": sku, "quantity": 2},
                    token=access).status_code == 200
    checkout = client.generic(
        "POST", "/api/v1/checkout", json.dumps(checkout_body(ADDRESS)),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {access}",
        HTTP_IDEMPOTENCY_KEY="order-of-zebedee", REMOTE_ADDR=fresh_ip(),
    )
    assert checkout.status_code == 201, checkout.content
    # the parcel leaves before the account is erased (an unshipped order keeps it open)
    manager = Client(REMOTE_ADDR=fresh_ip())
    manager.force_login(staff_user("max.manager@example.com", "manager"))
    assert manager.post(reverse("dashboard:order_fulfil", args=[checkout.json()["number"]]),
                        {"carrier": "DHL", "tracking_number": "JD1"}).status_code == 302
    deliver_outbox()
    assert api_call(client, "POST", "/api/v1/cart/items", {"sku": sku, "quantity": 1},
                    token=access).status_code == 200
    assert api_call(client, "GET", "/api/v1/me/export", token=access).status_code == 200

    phone, browser = Client(REMOTE_ADDR=fresh_ip()), Client(REMOTE_ADDR=fresh_ip())
    for device in (phone, browser):
        assert device.post(reverse("web:sign_in"),
                           {"email": EMAIL, "password": PASSWORD}).status_code == 302
    assert phone.get(reverse("web:account")).status_code == 200  # its session is cached
    assert browser.post(reverse("web:address_create"), {
        "name": NAME, "line1": f"7 {STREET}", "city": "Oxford", "postal_code": "OX2 6GG",
        "country": "GB", "is_default": "on",
    }).status_code == 302
    browser.post(reverse("web:marketing_preferences"), {"subscribe": "on"})
    browser.post(reverse("web:privacy_export"), {"password": PASSWORD})
    assert browser.get(reverse("web:privacy_export_download")).status_code == 200

    support = Client(REMOTE_ADDR=fresh_ip())
    support.force_login(staff_user("sue.support@example.com", "support"))
    assert EMAIL in support.get(reverse("dashboard:order_list"), {"q": EMAIL}).content.decode()
    assert EMAIL in support.get(reverse("dashboard:customer_list"),
                                {"q": EMAIL}).content.decode()
    assert AuditEvent.objects.filter(details__icontains=EMAIL).count() >= 2
    return browser


def test_nothing_of_the_erased_person_is_left(
    client, catalog, roles, tmp_path, django_capture_on_commit_callbacks
):
    log_path = tmp_path / "app.log"
    with log_file(log_path):
        browser = leave_traces(client, catalog)
        user_id = User.objects.get(email=EMAIL).pk
        # before: the person is there, in every kind of store (so the greps below can hit)
        assert EMAIL in database_text()
        assert email_fingerprint(EMAIL) in database_text()
        # sessions live in the database only (shop/privacy/sessions.py), decoded here
        assert f"'_auth_user_id': '{user_id}'" in database_text()

        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post(reverse("web:account_delete"),
                                    {"password": PASSWORD, "confirm": "on"})
        assert "Your account is deleted" in response.content.decode()

    database = database_text().lower()
    assert email_fingerprint(EMAIL) not in database  # failed sign-ins' hash of the address
    assert f"'_auth_user_id': '{user_id}'" not in database, "a session of theirs is left"
    for word in (EMAIL, NAME, STREET):
        assert word.lower() not in database, f"{word!r} is still in the database"

    cached = cache_text().lower()
    assert EMAIL not in cached
    assert NAME.lower() not in cached
    signed_in = [key for key, value in cache_entries() if f"'_auth_user_id': '{user_id}'" in value]
    assert signed_in == [], "a session of the erased user is still in the cache"

    logs = log_path.read_text(encoding="utf-8")
    assert '"account erased"' in logs  # the log file did record the whole story...
    assert f'"erased_user_id": {user_id}' in logs
    assert EMAIL not in logs.lower()  # ...by user id, never by email address
    assert NAME.lower() not in logs.lower()
