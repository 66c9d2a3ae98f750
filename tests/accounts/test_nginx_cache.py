"""Account pages and authenticated API routes through a real, hostile nginx proxy_cache
(URL-keyed, ignores Vary and Set-Cookie): never stored, never served to anyone else
(docs/threats.md cases 1, 2 and 6)."""

import pytest

from shop.accounts.models import Address
from tests.factories import create_user
from tests.support.http import assert_not_shareable, session_cookie_for

from .conftest import PASSWORD

pytestmark = pytest.mark.nginx

ACCOUNT_PAGES = [
    "/account/",
    "/account/addresses/",
    "/account/addresses/new/",
    "/account/password/",
    "/fragments/header",
    "/account/sign-in/",
    "/account/register/",
    "/account/password-reset/",
    "/account/password-reset/sent/",
]


@pytest.fixture
def people(db):
    zenobia = create_user("zenobia.quill@example.com", PASSWORD, name="Zenobia Quillfeather")
    Address.objects.create(
        user=zenobia,
        name="Zenobia Quillfeather",
        line1="17 Larkspur Mews",
        city="Utrecht",
        postal_code="3511 AB",
        country="NL",
        is_default=True,
    )
    ignatius = create_user("ignatius.brack@example.com", PASSWORD, name="Ignatius Brackenbury")
    return zenobia, ignatius


SECRETS_OF_ZENOBIA = ("zenobia", "Zenobia", "Quillfeather", "Larkspur")


def assert_nothing_of_zenobia(response):
    for text in SECRETS_OF_ZENOBIA:
        assert text not in response.text, (response.request.url, text)


def test_account_pages_never_enter_the_shared_cache(nginx_cache, people):
    zenobia, ignatius = people
    hers = {"Cookie": session_cookie_for(zenobia)}
    his = {"Cookie": session_cookie_for(ignatius)}
    address = Address.objects.get(user=zenobia)
    pages = [*ACCOUNT_PAGES, f"/account/addresses/{address.pk}/"]
    for path in pages:
        for _ in range(2):  # twice: a cache that stored the first would answer the second
            response = nginx_cache.get(path, headers=hers)
            assert response.status_code in (200, 302), (path, response.status_code)
            assert_not_shareable(response)
            assert response.headers["x-cache-status"] != "HIT", nginx_cache.logs()
        for headers in (his, None):
            response = nginx_cache.get(path, headers=headers)
            assert response.headers["x-cache-status"] != "HIT", nginx_cache.logs()
            assert_not_shareable(response)
            assert_nothing_of_zenobia(response)
    assert " HIT" not in nginx_cache.logs()


def test_authenticated_api_routes_never_enter_the_shared_cache(nginx_cache, people):
    def token_for(email):
        response = nginx_cache.request(
            "POST", "/api/v1/auth/token", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 200
        assert_not_shareable(response)
        return response.json()

    hers = token_for("zenobia.quill@example.com")
    his = token_for("ignatius.brack@example.com")
    for _ in range(2):
        mine = nginx_cache.get("/api/v1/me", headers={"Authorization": f"Bearer {hers['access']}"})
        assert mine.status_code == 200
        assert mine.json()["email"] == "zenobia.quill@example.com"
        assert_not_shareable(mine)
        assert mine.headers["x-cache-status"] != "HIT"
    other = nginx_cache.get("/api/v1/me", headers={"Authorization": f"Bearer {his['access']}"})
    assert other.json()["email"] == "ignatius.brack@example.com"
    assert_nothing_of_zenobia(other)
    stranger = nginx_cache.get("/api/v1/me")
    assert stranger.status_code == 401
    assert stranger.headers["www-authenticate"].startswith("Bearer")
    assert_nothing_of_zenobia(stranger)
    refreshed = nginx_cache.request(
        "POST", "/api/v1/auth/refresh", json={"refresh": hers["refresh"]}
    )
    assert refreshed.status_code == 200
    assert_not_shareable(refreshed)
    assert " HIT" not in nginx_cache.logs()


def test_sign_out_through_the_cache_clears_the_browser(nginx_cache, people):
    zenobia, _ = people
    cookie = session_cookie_for(zenobia)
    page = nginx_cache.get("/account/", headers={"Cookie": cookie})
    csrf_cookie = page.cookies.get("bfm_csrftoken") or ""
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = nginx_cache.request(
        "POST",
        "/account/sign-out/",
        headers={
            "Cookie": f"{cookie}; bfm_csrftoken={csrf_cookie}",
            "Origin": nginx_cache.url,
            "Referer": nginx_cache.url + "/account/",
        },
        data={"csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert_not_shareable(response)
    assert nginx_cache.get("/account/", headers={"Cookie": cookie}).status_code == 302
