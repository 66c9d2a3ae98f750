"""The data export (GDPR arts. 15 and 20): all of the shopper's data, none of anyone else's,
only to the shopper, on the storefront only after a fresh password confirmation, never
cacheable, streamed, and recorded in the audit log."""

import json

import pytest
from django.urls import reverse

from shop.accounts.tokens import access_token_issue
from shop.core.pagination import Page
from shop.monitoring.models import AuditEvent, SecurityEvent
from shop.orders.models import Order
from shop.privacy import export
from shop.privacy.export import AUDIT_EXPORT
from tests.factories import place_order

from .conftest import PASSWORD, api_call, bearer, body_of, signed_in
from .support import SHOPPER_ORDER

EXPORT_API = "/api/v1/me/export"


def export_via_api(client, user) -> tuple[object, dict]:
    response = client.get(EXPORT_API, **bearer(user))
    assert response.status_code == 200, response.content
    return response, json.loads(body_of(response))


def assert_export_private(response):
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response
    assert response["Content-Disposition"].startswith('attachment; filename="buy-from-me-')


def test_the_export_holds_everything_of_the_shopper_and_nothing_of_the_other(client, people):
    alice, bob = people
    _response, data = export_via_api(client, alice.user)
    text = json.dumps(data)

    for word in alice.words:
        assert word in text, word
    for word in bob.words:
        assert word not in text, word

    assert data["format"] == export.EXPORT_FORMAT
    assert data["profile"]["email"] == alice.email
    assert data["profile"]["name"] == alice.user.name
    assert len(data["addresses"]) == 2
    assert [item["quantity"] for item in data["cart"]["items"]] == [3]
    numbers = [order["number"] for order in data["orders"]]
    assert sorted(numbers) == sorted(o.number for o in alice.orders)
    first = data["orders"][0]
    assert first["items"][0]["quantity"] == 2
    assert first["items"][0]["line_total"] == "48.00"
    assert first["card"] == {"brand": "visa", "last4": "4242"}
    assert first["payments"][0]["reference"].startswith("tch_")
    assert data["consents"][0]["purpose"] == "marketing_email"
    assert "unsubscribe" in data["consents"][0]["wording"]
    assert data["consents"][0]["given_at"]
    assert [e["kind"] for e in data["security_events"]] == ["signin_failed"]
    assert [e["action"] for e in data["audit_events"]][:1] == ["order.read"]
    assert data["audit_events"][0]["by"] == "support"
    assert "sign_ins" in data
    assert "api_tokens" in data["sign_ins"]


def test_the_storefront_export_is_the_same_document(people):
    alice, bob = people
    client = signed_in(alice.user)
    client.post(reverse("web:privacy_export"), {"password": PASSWORD})
    response = client.get(reverse("web:privacy_export_download"))
    assert response.status_code == 200
    assert_export_private(response)
    data = json.loads(body_of(response))
    assert data["profile"]["email"] == alice.email
    text = json.dumps(data)
    assert all(word in text for word in alice.words)
    assert not any(word in text for word in bob.words)
    # signing in made a session: it is listed among the sign-ins
    assert len(data["sign_ins"]["signed_in_browser_sessions"]) == 1


def test_the_export_streams_and_is_never_cacheable(client, people):
    alice, _ = people
    variant = alice.orders[0].lines.first().variant
    for _ in range(60):  # more than one page of the access layer (50)
        place_order(alice.user, variant=variant, name="Bulk Buyer", line1="9 Bulk St",
                    city="Pennywhistle", **SHOPPER_ORDER)
    response = client.get(EXPORT_API, **bearer(alice.user))
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 10
    assert_export_private(response)
    assert "Authorization" in response["Vary"]
    data = json.loads(b"".join(chunks))
    assert len(data["orders"]) == 62
    assert len({o["number"] for o in data["orders"]}) == 62


def test_the_api_export_needs_the_callers_own_token(client, people):
    alice, bob = people
    assert api_call(client, "GET", EXPORT_API).status_code == 401
    assert api_call(client, "GET", EXPORT_API, token="not-a-token").status_code == 401
    # a storefront session is not an API credential
    session = signed_in(alice.user)
    response = session.get(EXPORT_API)
    assert response.status_code == 401
    assert response["Cache-Control"] == "private, no-store"
    # Bob's token exports Bob
    _, data = export_via_api(client, bob.user)
    assert data["profile"]["email"] == bob.email


def test_the_storefront_export_needs_a_fresh_password_confirmation(people, settings):
    alice, _ = people
    download = reverse("web:privacy_export_download")
    confirm = reverse("web:privacy_export")

    anonymous = signed_in(alice.user)
    anonymous.logout()
    response = anonymous.get(download)
    assert response.status_code == 302
    assert reverse("web:sign_in") in response["Location"]

    client = signed_in(alice.user)
    response = client.get(download)  # signed in, not confirmed
    assert response.status_code == 302
    assert response["Location"] == confirm
    assert client.get(confirm).context["ready"] is False

    response = client.post(confirm, {"password": "not my password"})
    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    assert client.get(download).status_code == 302

    response = client.post(confirm, {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == confirm
    page = client.get(confirm)
    assert page.context["ready"] is True
    assert download in page.content.decode()
    assert client.get(download).status_code == 200

    settings.SHOP_PRIVACY_CONFIRM_SECONDS = 0  # the confirmation has gone stale
    assert client.get(download).status_code == 302

    # the confirmation belongs to that session: another session of Alice is not confirmed
    assert signed_in(alice.user).get(download).status_code == 302


def test_wrong_confirmations_are_throttled_and_recorded(people):
    alice, _ = people
    client = signed_in(alice.user)
    statuses = [
        client.post(reverse("web:privacy_export"), {"password": f"guess {n}"}).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    from shop.monitoring.models import SecurityEvent

    assert SecurityEvent.objects.filter(
        kind="signin_failed", user_id=alice.user.pk, details__step="password_confirm"
    ).count() == 10


def test_every_export_is_an_audit_event(client, people):
    alice, _ = people
    export_via_api(client, alice.user)
    event = AuditEvent.objects.get(action=AUDIT_EXPORT)
    assert event.customer_id == alice.user.pk
    assert event.actor_id == alice.user.pk
    assert event.actor_role == "customer"
    assert event.via == "api"
    assert event.actor_email == ""  # the audit log is no second customer list
    assert event.ip


def test_an_order_that_is_not_the_shoppers_stops_the_export(people, monkeypatch):
    """Second line: if the access layer ever handed over another shopper's order, the export
    would stop rather than write it out."""
    alice, bob = people
    from shop.policy import access

    real = access.order_list_for

    def leaky(**kwargs):
        page = real(**kwargs)
        return Page(items=[*page.items, Order.objects.get(pk=bob.orders[0].pk)],
                                next_cursor=None)

    monkeypatch.setattr(access, "order_list_for", leaky)
    chunks = export.account_export(user=alice.user)
    with pytest.raises(RuntimeError, match="not the shopper"):
        b"".join(chunks)


def test_the_export_does_not_tell_which_guessed_order_numbers_exist(client, people):
    """`object_access_denied` is recorded only for someone else's real order: listing it (or
    its time) in the asker's export would undo the identical 404. Such events stay out; events
    about the shopper's own credentials stay in."""
    alice, bob = people
    token = access_token_issue(user=bob.user)
    for number in (alice.orders[0].number, "BFM-2222222222"):
        assert api_call(client, "GET", f"/api/v1/orders/{number}", token=token).status_code == 404
    assert SecurityEvent.objects.filter(user_id=bob.user.pk,
                                        kind="object_access_denied").exists()
    SecurityEvent.objects.create(kind="ownership_guard_tripped", user_id=bob.user.pk,
                                 details={"owners": [f"user:{alice.user.pk}"]})
    response = api_call(client, "GET", EXPORT_API, token=token)
    text = body_of(response).decode()
    data = json.loads(text)
    assert alice.orders[0].number not in text
    assert {e["kind"] for e in data["security_events"]} == {"signin_failed"}
    assert data["security_events"][0]["details"] == {"reason": "Grimsditch"}
