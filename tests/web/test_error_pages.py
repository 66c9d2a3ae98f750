"""The error pages (issue 15): 400, 403, 404, 405 and 500 have the shop's header, search and
navigation, are `private, no-store`, and hold nothing of the visitor (no name, e-mail, CSRF
token), no trace, SQL or path. `GET /account/sign-out/` is a page with a sign-out button."""

import re

import pytest
from django.conf import settings
from django.test import Client

from shop.catalog import selectors

TOO_MANY_FIELDS = "/products/?" + "&".join(f"f{n}=1" for n in range(1200))
NEVER = ("Traceback", "SELECT ", "django.", "/work/", "site-packages", ".py", "csrfmiddlewaretoken")


def assert_error_page(response, status: int, *, secrets: tuple[str, ...] = ()) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    # the shop's header: the logo, the search, the account links' fragment, the navigation
    assert 'class="site-header"' in body
    assert re.search(r'<form class="header-search" role="search"', body)
    # the account links and the cart come from the private sections, as on every cached page
    assert 'data-private-url="/fragments/private"' in body
    assert f'data-private-cookie="{settings.SHOP_PRIVATE_VERSION_COOKIE}"' in body
    assert 'aria-label="Categories"' in body
    assert 'href="/products/"' in body
    assert f"Error {status}" in body
    assert response["X-Request-ID"] in body
    for marker in (*NEVER, *secrets):
        assert marker not in body, marker
    return body


@pytest.fixture
def web(alice_web):
    alice_web.raise_request_exception = False
    return alice_web


def alice_secrets(alice) -> tuple[str, ...]:
    return (alice.email, alice.get_short_name())


def test_400_has_the_header(web, alice, catalog):
    # Django's own 400 (more query fields than DATA_UPLOAD_MAX_NUMBER_FIELDS)
    assert_error_page(web.get(TOO_MANY_FIELDS), 400, secrets=alice_secrets(alice))


def test_403_has_the_header(web, alice, catalog):
    # a shopper on a staff page, and a form posted without its CSRF token
    assert_error_page(web.get("/dashboard/"), 403, secrets=alice_secrets(alice))
    strict = Client(enforce_csrf_checks=True)
    assert_error_page(strict.post("/cart/add/", {"sku": "X"}), 403)


def test_404_has_the_header_and_an_unknown_path_reads_no_session(web, alice, catalog):
    assert_error_page(web.get("/products/no-such-thing/"), 404, secrets=alice_secrets(alice))
    response = web.get("/no-such-page/x.css")
    assert_error_page(response, 404, secrets=alice_secrets(alice))
    assert not response.cookies  # no session or CSRF cookie refreshed on a page that needs none


def test_405_is_the_error_page_with_its_allow_header(web, alice, catalog):
    response = web.get("/cart/add/")
    assert_error_page(response, 405, secrets=alice_secrets(alice))
    assert response["Allow"] == "POST"
    head = web.head("/cart/add/")
    assert head.status_code == 405
    assert head["Allow"] == "POST"


def test_500_has_the_header(web, alice, catalog, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("hunter2 at /work/secret.py: SELECT * FROM catalog_product")

    monkeypatch.setattr(selectors, "product_featured", broken)
    body = assert_error_page(web.get("/"), 500, secrets=(*alice_secrets(alice), "hunter2"))
    assert "Something went wrong" in body


def test_the_api_keeps_its_json_errors(catalog):
    response = Client().get("/api/v1/products/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = Client().delete("/api/v1/categories")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_sign_out_by_get_shows_a_button_and_signs_nobody_out(web, alice):
    response = web.get("/account/sign-out/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    form = re.search(r'<form method="post" action="/account/sign-out/".*?</form>', body, re.S)
    assert form
    assert "csrfmiddlewaretoken" in form.group(0)
    assert re.search(r'<button type="submit">Sign out</button>', form.group(0))
    assert web.get("/account/").status_code == 200  # still signed in
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # nothing ended or renewed
    signed_out = web.post("/account/sign-out/")
    assert signed_out.status_code == 200
    assert "You are signed out" in signed_out.content.decode()
    assert web.get("/account/").status_code == 302


def test_sign_out_by_get_when_signed_out_says_so(client):
    response = client.get("/account/sign-out/")
    assert response.status_code == 200
    assert "You are not signed in" in response.content.decode()
