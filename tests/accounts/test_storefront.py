"""Storefront accounts: register, sign in and out, sessions, password change and reset,
email verification, profile, and the header fragment."""

import re
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from shop.accounts.models import User

from .conftest import PASSWORD

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
REQUEST_ID = re.compile(rb"[0-9a-f]{32}")


def without_tokens(body: bytes) -> bytes:
    return REQUEST_ID.sub(b"<id>", CSRF_INPUT.sub(b"<csrf>", body))


def sign_in(client, email="ann@example.com", password=PASSWORD, **extra):
    return client.post("/account/sign-in/", {"email": email, "password": password}, **extra)


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


# --- register


def test_register_emails_a_verification_link_and_the_shopper_signs_in(client, db):
    response = client.post(
        "/account/register/",
        {"name": "Nina New", "email": "Nina@Example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/register/sent/"
    assert "Check your email" in client.get(response["Location"]).content.decode()
    user = User.objects.get(email="nina@example.com")
    assert not user.is_email_verified
    assert user.password.startswith("argon2")
    assert len(mail.outbox) == 1
    assert sign_in(client, email="nina@example.com").status_code == 302
    page = client.get("/account/")
    assert page.status_code == 200
    assert b"nina@example.com" in page.content
    assert b"Not verified yet" in page.content
    client.get(link_in(mail.outbox[0]))
    user.refresh_from_db()
    assert user.is_email_verified
    assert b"Verified" in client.get("/account/").content


def test_register_shows_errors_next_to_the_fields(client, ann):
    response = client.post(
        "/account/register/", {"name": "", "email": "ann@example.com", "password": "123"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert 'aria-invalid="true"' in html
    response = client.post(
        "/account/register/", {"name": "Zed", "email": "zed@example.com", "password": "password"}
    )
    html = response.content.decode()
    assert 'id="id_password_error"' in html
    assert "too common" in html
    assert not User.objects.filter(email="zed@example.com").exists()


def test_register_answers_a_taken_address_like_a_new_one_and_emails_its_owner(ann):
    """Registration does not tell whether an address has an account: the same redirect, no
    session either way, and a note to the owner instead of an error."""
    taken_client, new_client = Client(), Client()
    taken = taken_client.post("/account/register/", {
        "name": "Ann", "email": "ANN@example.com", "password": PASSWORD})
    new = new_client.post("/account/register/", {
        "name": "Ann", "email": "another.ann@example.com", "password": PASSWORD})
    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"] == "/account/register/sent/"
    assert sorted(taken.cookies) == sorted(new.cookies)
    assert settings.SESSION_COOKIE_NAME not in taken.cookies
    assert taken_client.get(taken["Location"]).content == new_client.get(new["Location"]).content
    owner_mail = [m for m in mail.outbox if m.to == ["ann@example.com"]]
    assert len(owner_mail) == 1
    assert "already have" in owner_mail[0].body


# --- sign in, sessions


def test_session_id_changes_at_sign_in(client, ann):
    """Session fixation: a session id planted before sign-in is not the one after."""
    client.get("/account/sign-in/")
    store = client.session  # a session the attacker could have planted
    store["planted"] = True
    store.save()
    planted = store.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = planted
    response = sign_in(client)
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after
    assert after != planted
    # the planted id is not signed in
    stranger = Client()
    stranger.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert stranger.get("/account/").status_code == 302


def test_session_cookie_flags(client, ann):
    response = sign_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert response["Cache-Control"] == "private, no-store"


def test_wrong_password_and_unknown_email_look_the_same(client, ann):
    wrong = sign_in(client, password="not the password", REMOTE_ADDR="10.9.0.1")
    unknown = sign_in(
        client, email="nobody@example.com", password="not the password", REMOTE_ADDR="10.9.0.2"
    )
    assert wrong.status_code == unknown.status_code == 200
    assert b"Email or password is incorrect." in wrong.content
    assert without_tokens(wrong.content).replace(b"ann@example.com", b"X") == without_tokens(
        unknown.content
    ).replace(b"nobody@example.com", b"X")


def test_next_is_followed_only_within_the_shop(client, ann):
    response = client.post(
        "/account/sign-in/",
        {"email": "ann@example.com", "password": PASSWORD, "next": "/account/addresses/"},
    )
    assert response["Location"] == "/account/addresses/"
    client.post("/account/sign-out/")
    response = client.post(
        "/account/sign-in/",
        {"email": "ann@example.com", "password": PASSWORD, "next": "https://evil.test/x"},
    )
    assert response["Location"] == "/account/"


def test_account_pages_send_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/account/addresses/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=%2Faccount%2Faddresses%2F"


# --- sign out


def test_only_a_post_signs_out(client, ann):
    """GET shows the sign-out button (issue 15: it used to be the browser's bare 405), and
    ends nothing."""
    client.force_login(ann)
    response = client.get("/account/sign-out/")
    assert response.status_code == 200
    assert b'<form method="post" action="/account/sign-out/"' in response.content
    assert "Clear-Site-Data" not in response
    assert client.get("/account/").status_code == 200


def test_sign_out_flushes_the_session_and_clears_the_browser(client, ann):
    sign_in(client)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post("/account/sign-out/")
    assert response.status_code == 200
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    assert b"Ann" not in response.content
    assert b"ann@example.com" not in response.content
    assert client.get("/account/").status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert replay.get("/account/").status_code == 302
    if issubclass(import_module(settings.SESSION_ENGINE).SessionStore, DbSessionStore):
        assert not Session.objects.filter(session_key=old_key).exists()


# --- passwords


def test_password_change_keeps_this_session_and_ends_the_others(ann):
    here, elsewhere = Client(), Client()
    sign_in(here)
    sign_in(elsewhere, REMOTE_ADDR="10.9.1.1")
    response = here.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "an entirely new passphrase",
            "new_password2": "an entirely new passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302
    ann.refresh_from_db()
    assert ann.check_password("an entirely new passphrase")


def test_password_change_needs_the_old_password(client, ann):
    client.force_login(ann)
    response = client.post(
        "/account/password/",
        {
            "old_password": "wrong",
            "new_password1": "an entirely new passphrase",
            "new_password2": "an entirely new passphrase",
        },
    )
    assert response.status_code == 200
    assert b'id="id_old_password_error"' in response.content
    ann.refresh_from_db()
    assert ann.check_password(PASSWORD)


def test_password_reset_by_emailed_link(client, ann):
    response = client.post("/account/password-reset/", {"email": "ANN@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = link_in(mail.outbox[0])
    assert link.startswith("/account/password-reset/")
    # the token leaves the URL at once (no Referer leak): it moves into the session
    landing = client.get(link)
    assert landing.status_code == 302
    form_url = landing["Location"]
    assert "set-password" in form_url
    page = client.get(form_url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    response = client.post(
        form_url,
        {"new_password1": "reset to something new", "new_password2": "reset to something new"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/complete/"
    ann.refresh_from_db()
    assert ann.check_password("reset to something new")
    # the link is single-use
    assert b"not valid" in client.get(link, follow=True).content


def test_password_reset_for_an_unknown_email_answers_the_same(client, db):
    response = client.post("/account/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_is_throttled_per_email(client, ann):
    for n in range(3):
        client.post(
            "/account/password-reset/", {"email": "ann@example.com"}, REMOTE_ADDR=f"10.9.2.{n}"
        )
    response = client.post(
        "/account/password-reset/", {"email": "ann@example.com"}, REMOTE_ADDR="10.9.2.9"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many attempts" in response.content
    assert len(mail.outbox) == 3


def test_a_completed_reset_lifts_the_sign_in_lockout(client, ann):
    for _ in range(5):
        sign_in(client, password="wrong guess", REMOTE_ADDR="10.9.3.20")
    assert sign_in(client, REMOTE_ADDR="10.9.3.20").status_code == 429
    client.post("/account/password-reset/", {"email": "ann@example.com"}, REMOTE_ADDR="10.9.3.21")
    form_url = client.get(link_in(mail.outbox[0]))["Location"]
    client.post(
        form_url, {"new_password1": "a fresh passphrase", "new_password2": "a fresh passphrase"}
    )
    assert (
        sign_in(client, password="a fresh passphrase", REMOTE_ADDR="10.9.3.20").status_code == 302
    )


# --- email verification and profile


def test_a_verification_link_works_once_and_only_for_its_user(client, ann, bob):
    client.force_login(ann)
    client.post("/account/verify-email/")
    assert len(mail.outbox) == 1
    link = link_in(mail.outbox[0])
    assert client.get(link).status_code == 200
    ann.refresh_from_db()
    assert ann.is_email_verified
    assert Client().get(link).status_code == 400  # used: dead
    # Ann's token does not verify Bob
    uid_token = link.rstrip("/").split("/")[-2:]
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    bob_link = f"/account/verify-email/{urlsafe_base64_encode(force_bytes(bob.pk))}/{uid_token[1]}/"
    assert Client().get(bob_link).status_code == 400
    bob.refresh_from_db()
    assert not bob.is_email_verified


def test_resending_the_verification_link_is_throttled(client, ann):
    client.force_login(ann)
    for _ in range(4):
        client.post("/account/verify-email/")
    assert len(mail.outbox) == 3


def test_profile_name_can_be_changed(client, ann):
    client.force_login(ann)
    response = client.post("/account/", {"name": "  Ann   Changed "})
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.name == "Ann Changed"


# --- the header fragment


def test_header_fragment_for_a_visitor(client, db):
    response = client.get("/fragments/header")
    assert response["Cache-Control"] == "private, no-store"
    assert b'href="/account/sign-in/"' in response.content
    assert b'href="/account/register/"' in response.content


def test_header_fragment_for_a_shopper(client, ann):
    client.force_login(ann)
    response = client.get("/fragments/header")
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "Hello, Ann" in html
    assert 'action="/account/sign-out/"' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/account/",
        "/account/register/",
        "/account/sign-in/",
        "/account/password/",
        "/account/addresses/",
        "/account/addresses/new/",
        "/account/password-reset/",
        "/account/password-reset/sent/",
        "/account/password-reset/complete/",
        "/account/password-reset/MQ/bad-token/",
        "/account/verify-email/MQ/bad-token/",
        "/fragments/header",
    ],
)
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_account_page_is_private_no_store(client, ann, path, signed_in):
    if signed_in:
        client.force_login(ann)
    response = client.get(path)
    assert response["Cache-Control"] == "private, no-store", path


def test_disabling_an_account_ends_its_sessions(client, ann):
    from shop.accounts import services

    sign_in(client)
    assert client.get("/account/").status_code == 200
    services.user_disable(user=ann)
    assert client.get("/account/").status_code == 302
    assert sign_in(client, REMOTE_ADDR="10.9.4.1").status_code == 200  # refused, same answer
