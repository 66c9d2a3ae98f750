"""The caching contract over real HTTP (docs/contract.md §5, docs/threats.md cases 1, 3, 4, 5).

Public routes give every visitor the same bytes, set no cookie, carry public ages and an
ETag, and answer 304 to it. Everything else (private routes, unknown paths, every 4xx and
5xx, cache-deception paths) is `private, no-store`.
"""

import secrets
from decimal import Decimal

import pytest

from shop.shipping.models import ShippingMethod
from tests.factories import create_user
from tests.support.http import (
    assert_api_error,
    assert_no_internals,
    assert_not_shareable,
    assert_public,
    describe,
    session_cookie_for,
)

# (path, text the page must contain so we know it really rendered the catalog)
PUBLIC_PAGES = [
    ("/", "Organic Cotton Tee"),
    ("/c/clothing/", "Heavyweight Hoodie"),
    ("/products/", "Stoneware Mug"),
    (
        "/products/?q=tee&category=clothing&min_price=10&max_price=100&in_stock=on&sort=price",
        "Organic Cotton Tee",
    ),
    ("/products/organic-cotton-tee/", "Organic Cotton Tee"),
    ("/api/v1/categories", '"t-shirts"'),
    ("/api/v1/products", '"stoneware-mug"'),
    (
        "/api/v1/products?category=clothing&min_price=10&in_stock=true&sort=-price&limit=1",
        '"heavyweight-hoodie"',
    ),
    ("/api/v1/products/organic-cotton-tee", '"Organic Cotton Tee"'),
    ("/api/v1/shipping-methods", '"standard"'),
    ("/api/v1/openapi.json", '"openapi"'),
    ("/api/v1/docs", "openapi.json"),
]


@pytest.fixture
def shop(catalog):
    """The small catalog, the standard shipping method, and a shopper with a distinctive name."""
    ShippingMethod.objects.get_or_create(
        code="standard", defaults={"name": "Standard delivery", "price": Decimal("4.95")}
    )
    catalog.shopper = create_user("quintessa.vandermolen@example.com", name="Quintessa Vandermolen")
    return catalog


def visitors(shopper) -> dict[str, dict[str, str]]:
    """The same URL asked by an anonymous visitor, a signed-in shopper, and someone sending a
    bearer token and cookies of their own."""
    return {
        "anonymous": {},
        "signed-in": {"Cookie": session_cookie_for(shopper)},
        "token and cookies": {
            "Authorization": f"Bearer {secrets.token_urlsafe(24)}",
            "Cookie": f"bfm_csrftoken={secrets.token_hex(16)}; bfm_cart={secrets.token_hex(8)}; "
            f"theme=dark",
        },
    }


@pytest.mark.parametrize(("path", "expected"), PUBLIC_PAGES, ids=[p for p, _ in PUBLIC_PAGES])
def test_public_route_gives_everyone_the_same_bytes(live_http, shop, path, expected):
    bodies = {}
    for who, headers in visitors(shop.shopper).items():
        response = live_http.get(path, headers=headers)
        assert_public(response)
        assert expected in response.text, f"{path} as {who} did not render the catalog"
        for secret in ("Quintessa", "vandermolen", "csrfmiddlewaretoken"):
            assert secret.lower() not in response.text.lower(), f"{path} as {who}: {secret}"
        bodies[who] = (response.content, response.headers["etag"])
    assert len(set(bodies.values())) == 1, f"{path} differs by visitor"

    body, etag = bodies["anonymous"]
    revalidated = live_http.get(path, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304, describe(revalidated)
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == etag
    assert revalidated.headers["cache-control"].startswith("public")
    assert "set-cookie" not in revalidated.headers
    # A signed-in browser revalidating gets the same 304 (its session does not matter).
    signed_in = live_http.get(
        path, headers={"If-None-Match": f'W/{etag}, "other"', **visitors(shop.shopper)["signed-in"]}
    )
    assert signed_in.status_code == 304, describe(signed_in)

    stale = live_http.get(path, headers={"If-None-Match": '"not-the-current-etag"'})
    assert stale.status_code == 200
    assert stale.content == body


def test_public_page_changes_when_the_catalog_does(live_http, shop):
    """The ETag is a real validator: it changes with the content, so a 304 is never stale."""
    before = live_http.get("/products/organic-cotton-tee/")
    shop.tee.name = "Organic Cotton Tee, Second Edition"
    shop.tee.save(update_fields=["name"])
    after = live_http.get(
        "/products/organic-cotton-tee/", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert "Second Edition" in after.text
    assert after.headers["etag"] != before.headers["etag"]


PRIVATE_PATHS = [
    "/fragments/header",
    "/healthz",
    "/admin/",
    "/admin/login/",
    "/api/v1/",
    "/no-such-page/",
]


def test_private_routes_are_no_store_for_everyone(live_http, shop):
    staff = create_user("staff.member@example.com", name="Staff Member", is_staff=True)
    for path in PRIVATE_PATHS:
        for headers in (*visitors(shop.shopper).values(), {"Cookie": session_cookie_for(staff)}):
            response = live_http.get(path, headers=headers)
            assert_not_shareable(response)


def test_the_header_fragment_is_personal_and_private(live_http, shop):
    """The private fragment is where the signed-in name lives (and so must never be shared)."""
    mine = live_http.get("/fragments/header", headers={"Cookie": session_cookie_for(shop.shopper)})
    assert mine.status_code == 200
    assert "Quintessa" in mine.text
    assert_not_shareable(mine)
    anonymous = live_http.get("/fragments/header")
    assert "Quintessa" not in anonymous.text
    assert "Sign in" in anonymous.text


def test_post_to_a_public_route_is_not_public(live_http, shop):
    response = live_http.post("/products/", data={"q": "tee"})
    assert response.status_code != 200 or "public" not in response.headers["cache-control"]
    assert_not_shareable(response)


STOREFRONT_ERRORS = [
    "/products/does-not-exist/",
    "/c/no-such-category/",
    "/products/?min_price=abc",
    "/products/?sort=bogus",
    "/products/?page=garbage",
    "/products/?page=9999",
    "/products/?min_price=50&max_price=10",
]

API_ERRORS = [
    ("/api/v1/products?limit=1000", 422, "invalid_input"),
    ("/api/v1/products?limit=0", 422, "invalid_input"),
    ("/api/v1/products?min_price=abc", 422, "invalid_input"),
    ("/api/v1/products?sort=bogus", 422, "invalid_input"),
    ("/api/v1/products?cursor=garbage", 400, "invalid_input"),
    ("/api/v1/products?min_price=50&max_price=10", 400, "invalid_input"),
    ("/api/v1/products?category=no-such-category", 404, "not_found"),
    ("/api/v1/products/does-not-exist", 404, "not_found"),
    ("/api/v1/no-such-endpoint", 404, "not_found"),
]


def check_each(cases, check) -> None:
    """Run `check` on every case and report every failure at once (one live-server test
    instead of one per case: each costs a database flush)."""
    failures = []
    for case in cases:
        try:
            check(*case) if isinstance(case, tuple) else check(case)
        except AssertionError as error:
            failures.append(f"{case}: {error}")
    assert not failures, "\n\n".join(failures)


def test_errors_on_public_storefront_routes_are_never_public(live_http, shop):
    signed_in = {"Cookie": session_cookie_for(shop.shopper)}

    def check(path):
        response = live_http.get(path, headers=signed_in)
        assert 400 <= response.status_code < 500, describe(response)
        assert_not_shareable(response)
        assert "set-cookie" not in response.headers
        assert response.headers["x-request-id"] in response.text
        assert "Quintessa" not in response.text
        assert_no_internals(response.text)

    check_each(STOREFRONT_ERRORS, check)


def test_api_errors_have_the_error_shape_and_are_never_public(live_http, shop):
    def check(path, status, code):
        response = live_http.get(path, headers={"Authorization": "Bearer whatever"})
        assert_api_error(response, status, code)

    check_each(API_ERRORS, check)


# Web Cache Deception (docs/threats.md case 3): a static-looking suffix on a dynamic route, or an
# encoded separator, must not reach a page, and must not be cacheable.
DECEPTION_PATHS = [
    "/products/x.css",
    "/products/organic-cotton-tee/x.css",
    "/products/organic-cotton-tee.css",
    "/products/organic-cotton-tee;x.css",
    "/fragments/header.css",
    "/fragments/header/x.css",
    "/fragments/header;x.css",
    "/fragments/header%3Bx.css",
    "/fragments/header%2Fx.css",
    "/fragments/header%3Fx.css",
    "/fragments/header%23x.css",
    "/healthz.css",
    "/healthz/x.js",
    "/account/x.css",
    "/account/orders/x.css",
    "/admin/x.css",
    "/api/v1/products/x.css",
    "/api/v1/products/organic-cotton-tee.css",
    "/api/v1/products/organic-cotton-tee/x.css",
    "/api/v1/products/organic-cotton-tee%2Fx.css",
    "/api/v1/categories.css",
    "/api/v1/categories/x.css",
    "/%2e%2e/",
    "/%2e%2e/fragments/header",
    "/products/..%2Ffragments%2Fheader",
    "/products%2Fx.css",
    "/products/%3Fx.css",
    "/products/%23x.css",
    "/x.png",
]


def test_cache_deception_paths_are_404_and_private(live_http, shop):
    cookie = {"Cookie": session_cookie_for(shop.shopper)}
    failures = []
    for path in DECEPTION_PATHS:
        response = live_http.get(path, headers=cookie)
        problems = []
        # Django's admin sends every unknown admin path to its sign-in page (no data in it).
        to_sign_in = (
            path.startswith("/admin/")
            and response.status_code == 302
            and (response.headers["location"].startswith("/admin/login/"))
        )
        if response.status_code != 404 and not to_sign_in:
            problems.append(f"status {response.status_code}")
        if "private" not in response.headers.get("cache-control", ""):
            problems.append(f"Cache-Control {response.headers.get('cache-control')!r}")
        if "no-store" not in response.headers.get("cache-control", ""):
            problems.append("no no-store")
        if "Quintessa" in response.text or "vandermolen" in response.text:
            problems.append("carries the shopper's data")
        if "set-cookie" in response.headers:
            problems.append("sets a cookie")
        if problems:
            failures.append(f"{path}: {', '.join(problems)}")
    assert not failures, "\n".join(failures)


def test_forwarded_host_does_not_poison_public_pages(live_http, shop):
    """Unkeyed headers (docs/threats.md case 5) must not change what a shared cache stores."""
    plain = live_http.get("/products/organic-cotton-tee/")
    for headers in (
        {"X-Forwarded-Host": "evil.example"},
        {
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Port": "4443",
            "X-Original-URL": "/fragments/header",
            "X-Rewrite-URL": "/fragments/header",
            "Forwarded": "host=evil.example",
        },
    ):
        for path in ("/products/organic-cotton-tee/", "/api/v1/openapi.json", "/api/v1/docs"):
            response = live_http.get(path, headers=headers)
            assert response.status_code == 200, describe(response)
            assert "evil.example" not in response.text, path
            assert "4443" not in response.text, path
        tricked = live_http.get("/products/organic-cotton-tee/", headers=headers)
        assert tricked.content == plain.content


def test_parameter_tricks_do_not_poison_public_pages(live_http, shop):
    """`;` and odd query parameters are just part of the URL: the page is the same or a 404."""
    plain = live_http.get("/products/organic-cotton-tee/")
    semicolon = live_http.get("/products/organic-cotton-tee/?variant=x;utm_source=evil.example")
    assert semicolon.status_code == 200
    assert "evil.example" not in semicolon.text
    reflected = live_http.get("/products/?q=%3Cscript%3Eevil.example%3C/script%3E")
    assert reflected.status_code == 200
    assert "<script>evil.example" not in reflected.text
    assert plain.headers["etag"] == live_http.get("/products/organic-cotton-tee/").headers["etag"]


@pytest.mark.urls("tests.support.leaky_urls")
def test_a_public_route_cannot_see_who_is_asking(live_http, app_log, shop):
    """A view that reads the user, the session, the Authorization header and the cookies, and
    calls get_token(): mounted on a public route it sees an anonymous visitor, and the cookies
    it sets are dropped (and logged as the bug they are)."""
    asker = {
        "Cookie": f"{session_cookie_for(shop.shopper)}; bfm_csrftoken={'a' * 32}; theme=dark",
        "Authorization": "Bearer not-a-real-token",
    }
    public = live_http.get("/", headers=asker)
    assert_public(public)
    assert "vary" not in public.headers or "cookie" not in public.headers["vary"].lower()
    assert public.text.startswith("user=anonymous\nsession=\nauthorization=\ncookies=\ncsrf=")
    assert "quintessa" not in public.text
    assert "a" * 32 not in public.text
    dropped = [r for r in app_log.find(logger="shop.policy") if r.levelname == "ERROR"]
    assert dropped, "the dropped cookies were not logged"

    # The same view on a private route sees the visitor: the probe is not blind.
    private = live_http.get("/fragments/header", headers=asker)
    assert_not_shareable(private)
    assert "user=quintessa.vandermolen@example.com" in private.text
    assert "authorization=Bearer not-a-real-token" in private.text
    assert "set-cookie" in private.headers


def test_an_unknown_host_is_refused_not_served(live_http, settings, shop):
    """The test settings allow every host (random ports and names); production lists its
    hosts. With a real list, a page asked for under someone else's Host is a 400, never a
    (cacheable) page that could carry the attacker's host."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert live_http.get("/products/organic-cotton-tee/").status_code == 200
    for path in ("/products/organic-cotton-tee/", "/api/v1/products", "/fragments/header"):
        response = live_http.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, describe(response)
        assert_not_shareable(response)
        assert "evil.example" not in response.text
        assert_no_internals(response.text)
