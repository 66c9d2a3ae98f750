"""The token API (docs/contract.md §4): register, token, refresh, logout, me; rotation, replay,
revocation."""

import pytest
from django.core import mail
from django.test import Client

from shop.accounts import services
from shop.accounts.models import RefreshToken, User
from shop.monitoring.models import SecurityEvent

from .conftest import PASSWORD


def assert_unauthorized(response, *, absent=("ann@example.com", "Ann")):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    for text in absent:
        assert text not in body
    assert response.json()["error"]["code"] in ("not_authenticated", "invalid_credentials")


def test_register_creates_an_unverified_account_and_emails_a_link(api, db):
    response = api.post(
        "/api/v1/auth/register",
        {"email": " New@Example.com ", "password": PASSWORD, "name": "New Person"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "name", "detail"}
    assert body["email"] == "new@example.com"
    new_user = User.objects.get(email="new@example.com")
    assert body["id"] == str(new_user.public_id)
    assert body["id"] != str(new_user.pk)  # opaque, not the row number
    assert response["Cache-Control"] == "private, no-store"
    assert len(mail.outbox) == 1
    assert "/account/verify-email/" in mail.outbox[0].body
    assert not User.objects.get(email="new@example.com").is_email_verified


def test_register_refuses_weak_passwords(api, ann):
    weak = api.post(
        "/api/v1/auth/register", {"email": "x@example.com", "password": "12345678", "name": "X"}
    )
    assert weak.status_code == 422
    assert weak.json()["error"]["code"] == "invalid_password"
    # the same for an address that has an account: the answer does not tell
    weak_taken = api.post(
        "/api/v1/auth/register", {"email": "ann@example.com", "password": "12345678", "name": "X"}
    )
    assert weak_taken.status_code == 422
    assert weak_taken.json()["error"]["code"] == "invalid_password"


def test_register_answers_a_taken_address_like_a_new_one_and_emails_its_owner(api, ann):
    """OWASP: registration must not tell whether an address has an account. Same status,
    headers and body (the request id aside); the owner gets a note, nothing else changes."""
    new = api.post("/api/v1/auth/register",
                   {"email": "zoe@example.com", "password": PASSWORD, "name": "Ann Example"},
                   ip="10.8.0.1")
    taken = api.post("/api/v1/auth/register",
                     {"email": "ANN@example.com", "password": PASSWORD, "name": "Ann Example"},
                     ip="10.8.0.2")
    assert taken.status_code == new.status_code == 201
    assert sorted(taken.headers) == sorted(new.headers)
    assert {**taken.json(), "email": "", "id": ""} == {**new.json(), "email": "", "id": ""}
    # both carry an id of the same form; the taken address's is not its owner's
    assert len(taken.json()["id"]) == len(new.json()["id"]) == 36
    assert taken.json()["id"] not in (str(ann.public_id), str(ann.pk))
    owner_mail = [m for m in mail.outbox if m.to == ["ann@example.com"]]
    assert len(owner_mail) == 1
    assert "/account/password-reset/" in owner_mail[0].body
    assert "already have" in owner_mail[0].body
    ann_before = ann.password
    ann.refresh_from_db()
    assert ann.password == ann_before  # nothing of the account changed
    assert User.objects.filter(email="ann@example.com").count() == 1


def test_token_me_and_the_shape_of_the_pair(api, ann):
    pair = api.sign_in()
    assert set(pair) == {"access", "refresh", "token_type", "expires_in"}
    assert pair["token_type"] == "Bearer"
    assert pair["expires_in"] == 600
    me = api.get("/api/v1/me", token=pair["access"])
    assert me.status_code == 200
    assert me.json() == {"id": str(ann.public_id), "email": "ann@example.com",
                         "name": "Ann Example"}
    assert me["Cache-Control"] == "private, no-store"
    assert RefreshToken.objects.get().token_hash != pair["refresh"]  # stored hashed


def test_me_without_a_token_is_401_with_www_authenticate(api, ann):
    assert_unauthorized(api.get("/api/v1/me"))


def test_the_api_ignores_the_session_cookie(client, ann):
    client.force_login(ann)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "ann@example.com" not in response.content.decode()


def test_refresh_rotates_and_the_old_token_stops_working(api, ann):
    first = api.sign_in()
    second = api.post("/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert second.status_code == 200
    second = second.json()
    assert second["refresh"] != first["refresh"]
    assert api.get("/api/v1/me", token=second["access"]).status_code == 200
    third = api.post("/api/v1/auth/refresh", {"refresh": second["refresh"]})
    assert third.status_code == 200


def test_a_replayed_refresh_token_revokes_its_family_and_is_recorded(api, ann):
    first = api.sign_in()
    other_device = api.sign_in()
    second = api.post("/api/v1/auth/refresh", {"refresh": first["refresh"]}).json()
    replay = api.post("/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert_unauthorized(replay)
    # the thief's replay killed the legitimate holder's new token too: the family is gone
    assert_unauthorized(api.post("/api/v1/auth/refresh", {"refresh": second["refresh"]}))
    # another sign-in (another family) is untouched
    assert api.post("/api/v1/auth/refresh", {"refresh": other_device["refresh"]}).status_code == 200
    event = SecurityEvent.objects.get(kind="refresh_replay")
    assert event.user_id == ann.pk
    assert first["refresh"] not in str(event.details)


def test_unknown_refresh_token_is_401_and_recorded(api, ann):
    assert_unauthorized(api.post("/api/v1/auth/refresh", {"refresh": "not-a-token"}))
    assert SecurityEvent.objects.filter(kind="refresh_invalid").count() == 1


def test_logout_revokes_refresh_tokens_and_the_access_token(api, ann):
    pair = api.sign_in()
    response = api.post("/api/v1/auth/logout", {"refresh": pair["refresh"]}, token=pair["access"])
    assert response.status_code == 204
    assert_unauthorized(api.get("/api/v1/me", token=pair["access"]))
    assert_unauthorized(api.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}))
    assert SecurityEvent.objects.filter(kind="token_invalid", details__reason="revoked").exists()


def test_logout_needs_a_token(api, ann):
    pair = api.sign_in()
    assert_unauthorized(api.post("/api/v1/auth/logout", {"refresh": pair["refresh"]}))


def test_password_change_revokes_access_and_refresh_tokens(api, ann):
    pair = api.sign_in()
    services.user_password_set(user=ann, password="a brand new passphrase")
    assert_unauthorized(api.get("/api/v1/me", token=pair["access"]))
    assert_unauthorized(api.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}))
    fresh = api.sign_in(password="a brand new passphrase")
    assert api.get("/api/v1/me", token=fresh["access"]).status_code == 200


def test_a_password_set_outside_the_services_still_kills_tokens(api, ann):
    """manage.py changepassword or a shell: the token version covers the password hash."""
    pair = api.sign_in()
    ann.set_password("changed behind our back")
    ann.save()
    assert_unauthorized(api.get("/api/v1/me", token=pair["access"]))
    assert_unauthorized(api.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}))


def test_disabling_an_account_revokes_its_tokens_even_if_enabled_again(api, ann):
    pair = api.sign_in()
    services.user_disable(user=ann)
    assert_unauthorized(api.get("/api/v1/me", token=pair["access"]))
    ann.is_active = True
    ann.save()
    assert_unauthorized(api.get("/api/v1/me", token=pair["access"]))
    assert_unauthorized(api.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}))


def test_a_deleted_account_token_is_refused(api, ann):
    pair = api.sign_in()
    ann.delete()
    assert_unauthorized(api.get("/api/v1/me", token=pair["access"]))


@pytest.mark.django_db(transaction=True)
def test_concurrent_uses_of_one_refresh_token_let_at_most_one_through(ann):
    """Two uses at the same time: the conditional UPDATE lets one win; the other is a replay,
    which revokes the family (the winner's new token included)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from .conftest import Api

    pair = Api(Client()).sign_in()

    def use(_):
        try:
            return Api(Client()).post("/api/v1/auth/refresh", {"refresh": pair["refresh"]})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(use, range(8)))
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) <= 1
    assert all(r.status_code in (200, 401) for r in responses)
    assert not RefreshToken.objects.filter(
        family=RefreshToken.objects.first().family, revoked_at__isnull=True, used_at__isnull=True
    ).exists()


def test_expired_refresh_tokens_are_refused_and_purged(api, ann):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    pair = api.sign_in()
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_unauthorized(api.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}))
    call_command("purge_refresh_tokens", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not RefreshToken.objects.exists()
