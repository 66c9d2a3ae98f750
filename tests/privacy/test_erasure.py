"""Account erasure (GDPR art. 17, CCPA "delete"): sessions and tokens end at once, the
profile, addresses and cart go, orders stay for the books without the person, sign-in is
impossible, a confirmation goes to the old address, staff see placeholders, and nothing of the
person is left in the database, the logs or the cache."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from shop.accounts.models import Address, RefreshToken, User
from shop.cart.models import Cart
from shop.monitoring.models import AuditEvent
from shop.orders.models import Order, OrderLine, Payment
from shop.privacy.models import Consent, UserSession
from shop.privacy.services import AUDIT_ERASE, ORDER_PLACEHOLDER, ORDER_PLACEHOLDER_NAME
from tests.factories import staff_user

from .conftest import PASSWORD, api_call, fresh_ip


def storefront_sign_in(email: str, password: str = PASSWORD) -> Client:
    client = Client(REMOTE_ADDR=fresh_ip())
    response = client.post(reverse("web:sign_in"), {"email": email, "password": password})
    assert response.status_code == 302, response.content
    return client


def api_tokens(client, email: str) -> dict:
    response = api_call(client, "POST", "/api/v1/auth/token",
                        {"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def test_erasure_over_the_api_ends_every_credential_and_keeps_the_orders(
    client, people, django_capture_on_commit_callbacks
):
    alice, bob = people
    user_id = alice.user.pk
    tokens = api_tokens(client, alice.email)
    browser, phone = storefront_sign_in(alice.email), storefront_sign_in(alice.email)
    assert browser.get(reverse("web:account")).status_code == 200
    assert UserSession.objects.filter(user_id=user_id).count() == 2
    bob_tokens = api_tokens(client, bob.email)
    before = {o.number: (o.total, o.created_at, o.lines.count()) for o in alice.orders}

    # a wrong password changes nothing
    response = api_call(client, "DELETE", "/api/v1/me", {"password": "nope"},
                        token=tokens["access"])
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_incorrect"
    assert response["Cache-Control"] == "private, no-store"
    assert api_call(client, "DELETE", "/api/v1/me", token=tokens["access"]).status_code == 422
    assert api_call(client, "DELETE", "/api/v1/me", {"password": PASSWORD}).status_code == 401
    assert User.objects.filter(pk=user_id).exists()

    with django_capture_on_commit_callbacks(execute=True):  # the email leaves on commit
        response = api_call(client, "DELETE", "/api/v1/me", {"password": PASSWORD},
                            token=tokens["access"])
    assert response.status_code == 204, response.content
    assert response["Cache-Control"] == "private, no-store"

    # every credential is dead at once
    assert api_call(client, "GET", "/api/v1/me", token=tokens["access"]).status_code == 401
    refreshed = api_call(client, "POST", "/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 401
    for session in (browser, phone):
        response = session.get(reverse("web:account"))
        assert response.status_code == 302
        assert reverse("web:sign_in") in response["Location"]
    assert not UserSession.objects.filter(user_id=user_id).exists()
    assert not RefreshToken.objects.filter(user_id=user_id).exists()
    for session in (browser, phone):
        key = session.cookies[settings.SESSION_COOKIE_NAME].value
        assert not Session.objects.filter(session_key=key).exists()

    # and no new one can be had
    response = api_call(client, "POST", "/api/v1/auth/token",
                        {"email": alice.email, "password": PASSWORD})
    assert response.status_code == 401
    response = Client(REMOTE_ADDR=fresh_ip()).post(
        reverse("web:sign_in"), {"email": alice.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Email or password is incorrect." in response.content.decode()

    # the profile, addresses, cart and consents are gone; the orders stay, without the person
    assert not User.objects.filter(pk=user_id).exists()
    assert not Address.objects.filter(user_id=user_id).exists()
    assert not Cart.objects.filter(user_id=user_id).exists()
    assert not Consent.objects.filter(user_id=user_id).exists()
    for order in Order.objects.filter(number__in=before):
        assert order.user_id is None
        assert order.email == ""
        assert order.ship_name == ORDER_PLACEHOLDER_NAME
        assert order.ship_line1 == ORDER_PLACEHOLDER
        assert order.ship_city == ORDER_PLACEHOLDER
        assert order.ship_postal_code == ORDER_PLACEHOLDER
        assert order.ship_country == "GB"
        assert (order.total, order.created_at, order.lines.count()) == before[order.number]
        assert Payment.objects.filter(order=order).count() == 1
    assert OrderLine.objects.filter(order__number__in=before).count() == 2

    # the confirmation goes to the old address, and the erasure is in the audit log
    confirmation = mail.outbox[-1]
    assert confirmation.to == [alice.email]
    assert "deleted" in confirmation.subject
    event = AuditEvent.objects.get(action=AUDIT_ERASE)
    assert event.customer_id == user_id
    assert event.details == {"orders_anonymised": 2}
    assert event.actor_email == ""

    # Bob is untouched
    assert api_call(client, "GET", "/api/v1/me", token=bob_tokens["access"]).json()["email"] == (
        bob.email
    )
    assert Order.objects.filter(user=bob.user).count() == 2
    assert Address.objects.filter(user=bob.user).count() == 2
    assert Cart.objects.filter(user=bob.user).exists()


def test_deleting_the_account_on_the_storefront_signs_out_with_a_confirmation(
    people, django_capture_on_commit_callbacks
):
    alice, _ = people
    browser = storefront_sign_in(alice.email)
    other_device = storefront_sign_in(alice.email)
    page = browser.get(reverse("web:account_delete"))
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"

    unticked = browser.post(reverse("web:account_delete"), {"password": PASSWORD})
    assert "Tick the box to confirm." in unticked.content.decode()
    wrong = browser.post(reverse("web:account_delete"), {"password": "nope", "confirm": "on"})
    assert "The password is not correct." in wrong.content.decode()
    assert User.objects.filter(pk=alice.user.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("web:account_delete"),
                                {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "Your account is deleted" in response.content.decode()
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    assert not User.objects.filter(email=alice.email).exists()
    for session in (browser, other_device):
        assert session.get(reverse("web:account")).status_code == 302
    assert mail.outbox[-1].to == [alice.email]


def test_staff_see_the_anonymised_orders_only(people, roles):
    alice, bob = people
    numbers = [o.number for o in alice.orders]
    support = Client()
    support.force_login(staff_user("sue.support@example.com", "support"))
    browser = storefront_sign_in(alice.email)
    browser.post(reverse("web:account_delete"), {"password": PASSWORD, "confirm": "on"})

    listing = support.get(reverse("dashboard:order_list")).content.decode()
    for number in numbers:
        assert number in listing
        detail = support.get(reverse("dashboard:order_detail", args=[number]))
        assert detail.status_code == 200
        text = detail.content.decode()
        assert ORDER_PLACEHOLDER_NAME in text
        assert "(account erased)" in text
        assert "52.95" in text
        for word in alice.words[:5]:
            assert word not in text, word
    for word in alice.words[:5]:
        assert word not in listing, word
    assert bob.user.name in listing  # the other shopper's orders are as they were
    customers = support.get(reverse("dashboard:customer_list")).content.decode()
    assert alice.email not in customers
    assert bob.email in customers


def test_staff_accounts_are_closed_by_an_administrator(client, roles):
    sue = staff_user("sue.support@example.com", "support")
    tokens = api_tokens(client, sue.email)
    response = api_call(client, "DELETE", "/api/v1/me", {"password": PASSWORD},
                        token=tokens["access"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "staff_account"
    assert User.objects.filter(pk=sue.pk).exists()


@pytest.mark.parametrize("path", ["/account/delete/x.css", "/account/privacy/export/download/a.js"])
def test_privacy_routes_have_no_static_looking_twins(client, people, path):
    alice, _ = people
    client.force_login(alice.user)
    response = client.get(path)
    assert response.status_code == 404
    assert alice.email not in response.content.decode()
    assert re.search(r"private, no-store", response["Cache-Control"])
