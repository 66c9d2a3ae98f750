"""docs/threats.md cases 1-6, caching: the tests that were missing. Every route is taken from the
URL walk (tests/security/soak.py `all_routes`), so a new route is checked the day it exists.

Elsewhere (docs/security.md has the whole map): the declared-policy walk
(tests/policy/test_route_policies.py), public bytes, ETags and fixed deception paths
(tests/policy/test_public_routes.py), the hostile nginx and its leaky self-test
(tests/policy/test_nginx_cache.py), the soak through both caches (tests/security/test_soak.py).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from shop.policy.cache import policy_for
from tests.support.api import api_call
from tests.support.http import assert_public, describe

from . import soak

METHODS = ("GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS")
# POSTs that would end the visitor's session or delete their data mid-sweep
DESTRUCTIVE = {"web:sign_out", "web:account_delete", "web:address_delete", "api:me_erase"}


def directives(response) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            found[name.lower()] = value or None
    return found


def visitor(person: soak.Person | None) -> Client:
    """A browser that sends CSRF tokens like a real one (the check stays on) and, when it is
    someone, both their session cookie and their bearer token."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if person is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = person.session
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {person.token}"
    return client


def call(client: Client, method: str, url: str, csrf: str):
    if url.startswith("/api/"):
        return api_call(client, method, url, {})
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, f"csrfmiddlewaretoken={csrf}",
                          content_type="application/x-www-form-urlencoded")


def test_case_01_04_every_route_and_method_is_no_store_unless_declared_public(world):
    """Case 1 at run time (the map says what is declared; this asks every route with every
    method, signed in and not) and case 4: a response a shared cache may keep is a declared
    public route's GET/HEAD 200 (or 304), sets no cookie and does not vary on Cookie; every
    other answer, every 4xx and 5xx included, is `private, no-store` and nothing else."""
    shopper = world.shoppers[0]
    failures, public_seen, checked = [], set(), 0
    for route in soak.all_routes():
        for url in soak.sample(soak.filled_urls(route, shopper, world), 3):
            for person in (shopper, None):
                client = visitor(person)
                for method in METHODS:
                    if method == "POST" and route.name in DESTRUCTIVE:
                        continue
                    response = call(client, method, url, shopper.csrf)
                    checked += 1
                    found = directives(response)
                    where = f"{method} {url} ({route.name}) -> {response.status_code}"
                    if "public" in found:
                        public_seen.add(route.name)
                        if not (policy_for(route.name).public and method in ("GET", "HEAD")
                                and response.status_code in (200, 304)):
                            failures.append(f"{where}: public")
                        if response.cookies:
                            failures.append(f"{where}: public and sets {list(response.cookies)}")
                        if "cookie" in response.get("Vary", "").lower():
                            failures.append(f"{where}: public and Vary: Cookie")
                    elif set(found) != {"private", "no-store"}:
                        failures.append(f"{where}: Cache-Control {response.get('Cache-Control')}")
                    if response.status_code >= 400 and "public" in found:
                        failures.append(f"{where}: an error marked public")
    assert not failures, "\n".join(failures[:60])
    declared_public = {r.name for r in soak.all_routes() if r.public}
    assert public_seen == declared_public, declared_public - public_seen
    assert checked > 1500


DECEPTION = (*soak.DECEPTION_SUFFIXES, "/x.css", "/..%2Fx.css", "%2F..%2Fx.js", "/%2e%2e/x.css",
             "/x.css?x=1", "%00.css")


def test_case_03_cache_deception_suffixes_on_every_private_route(world):
    """Web Cache Deception on every private route, filled with the shopper's own ids (the
    dangerous case: her own data behind a static-looking URL): with her credentials, each one
    answers a data-free 404 (or a redirect, or a 405), never her page, and `no-store`."""
    shopper = world.shoppers[0]
    client = visitor(shopper)
    failures, checked = [], 0
    for route in soak.all_routes():
        if route.public:
            continue
        urls = [u for u in soak.filled_urls(route, shopper, world)
                if soak.own_values_only(u, route, shopper, world)]
        for url in soak.sample(urls, 3):
            for suffix in DECEPTION:
                for path in {url + suffix, url.rstrip("/") + "/" + suffix.lstrip("/")}:
                    response = client.get(path)
                    checked += 1
                    body = response.content.decode(errors="replace")
                    leaked = [m for m in shopper.markers if m in body.replace(path, "")]
                    where = f"GET {path} ({route.name}) -> {response.status_code}"
                    if response.status_code not in (301, 302, 400, 403, 404, 405):
                        failures.append(where)
                    if leaked:
                        failures.append(f"{where}: {leaked}")
                    if set(directives(response)) != {"private", "no-store"}:
                        failures.append(f"{where}: {response.get('Cache-Control')}")
    assert not failures, "\n".join(failures[:60])
    assert checked > 1000


# --- case 5: unkeyed inputs and `;` tricks cannot change what a public page says

UNKEYED = {
    "X-Forwarded-Host": "evil.example",
    "X-Host": "evil.example",
    "X-Forwarded-Server": "evil.example",
    "Forwarded": "for=1.2.3.4;host=evil.example;proto=http",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Scheme": "nothttps",
    "X-Forwarded-Port": "1337",
    "X-Forwarded-Prefix": "/evil",
    "X-Forwarded-For": "1.2.3.4",
    "X-Original-URL": "/account/",
    "X-Rewrite-URL": "/account/orders/",
    "X-HTTP-Method-Override": "POST",
    "X-Method-Override": "DELETE",
    "HX-Request": "true",
    "HX-Boosted": "true",
    "HX-Target": "results",
    "Accept": "application/json",
    "Accept-Language": "fr-FR",
    "User-Agent": "evil/1.0 <script>alert(1)</script>",
    "Origin": "https://evil.example",
    "Referer": "https://evil.example/<script>",
    "Accept-Encoding": "gzip",
}
PAYLOAD = "<script>alert(1)</script>"
SEMICOLON_TRICKS = (";jsessionid=x", "?q=tee;sort=-price", f"?utm_source=a;q={PAYLOAD}",
                    f"?q=tee&q={PAYLOAD}", "%3Bq=x", "?limit=1;limit=100",
                    "?category=home;category=clothing")


def public_urls(world) -> list[str]:
    """Every public route, filled with slugs that exist."""
    shopper = world.shoppers[0]
    return [url for route in soak.all_routes() if route.public
            for url in soak.sample(soak.filled_urls(route, shopper, world), 3)
            if "no-such-thing" not in url]


@pytest.mark.nginx
def test_case_05_unkeyed_headers_and_semicolon_tricks_do_not_poison_public_pages(
    live_http, nginx_cache, transactional_db
):
    """A shared cache keys on the URL only. Whatever else a request carries (forwarded host,
    scheme, port and prefix, URL overrides, method overrides, htmx headers, content and
    language negotiation, a body on a GET), a public route renders the same bytes as for a
    plain request, so the first visitor cannot plant anything in the cached copy; `;` in a path
    or query is never a second separator the cache does not know about. Through the hostile
    nginx, a poisoned-looking request that fills the cache leaves the next visitor the plain
    bytes."""
    world = soak.build_world(shoppers=1)
    failures, pages = [], []
    for url in public_urls(world):
        plain = live_http.get(url)
        if plain.status_code == 404:  # a category slug on a product route, say
            continue
        assert_public(plain)
        pages.append(url)
        for name, value in UNKEYED.items():
            tricked = live_http.get(url, headers={name: value})
            if tricked.status_code != 200 or tricked.content != plain.content:
                failures.append(f"{url} with {name}: {describe(tricked)}")
            if "evil" in tricked.text:
                failures.append(f"{url} with {name}: echoes it")
        fat = live_http.request("GET", url, content=b"q=zzz&category=home&limit=1",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        if fat.content != plain.content:
            failures.append(f"{url}: a body on a GET changed the page")
        for trick in SEMICOLON_TRICKS:
            tricked = live_http.get(url + (trick.replace("?", "&") if "?" in url else trick))
            if PAYLOAD in tricked.text:
                failures.append(f"{url}{trick}: reflects the script unescaped")
            if tricked.status_code >= 300 and "public" in tricked.headers.get("cache-control", ""):
                failures.append(f"{url}{trick}: {describe(tricked)}")
    assert not failures, "\n".join(failures)
    routes = {route.name for route in soak.all_routes() if route.public}
    assert len(pages) >= len(routes), pages

    # Through the hostile cache: the poisoner fills it, the next visitor gets the plain page.
    for url in pages[:6]:
        plain = live_http.get(url).content
        poison = nginx_cache.get(url, headers={**dict(list(UNKEYED.items())[:12])})
        assert poison.headers["x-cache-status"] == "MISS", describe(poison)
        served = nginx_cache.get(url)
        assert served.headers["x-cache-status"] == "HIT", describe(served)
        assert served.content == plain, url


# --- case 6: sign-out, and the cart that has no cookie of its own


def test_case_06_the_cart_has_no_cookie_and_sign_out_clears_the_browser(world, catalog_sku):
    """The cart lives on the server behind the session; the browser holds only the session
    and CSRF cookies, and the private sections' version (a random version, nothing else:
    shop/web/private.py). Sign-out expires the session and version cookies, sends
    `Clear-Site-Data` for cache, cookies and storage, and the old session cookie, replayed,
    shows an empty cart."""
    browser = Client()
    seen = set()
    versions = []
    response = browser.post("/cart/add/", {"sku": catalog_sku, "quantity": 1})
    seen |= set(response.cookies)
    versions.append(response.cookies[settings.SHOP_PRIVATE_VERSION_COOKIE].value)
    response = browser.post("/account/sign-in/", {"email": world.shoppers[0].email,
                                                  "password": soak.PASSWORD})
    assert response.status_code == 302, response.content[:300]
    seen |= set(response.cookies)
    versions.append(response.cookies[settings.SHOP_PRIVATE_VERSION_COOKIE].value)
    seen |= set(browser.get("/cart/").cookies)
    assert seen <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME,
                    settings.SHOP_PRIVATE_VERSION_COOKIE}, seen
    assert all(re.fullmatch(r"[0-9a-f]{12}", version) for version in versions), versions
    assert versions[0] != versions[1]
    signed_in_session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert re.search(r"cart-count\D*[1-9]", browser.get("/fragments/cart-count").content.decode())

    signed_out = browser.post("/account/sign-out/")
    assert signed_out.status_code == 200
    clear = {part.strip() for part in signed_out["Clear-Site-Data"].split(",")}
    assert clear == {'"cache"', '"cookies"', '"storage"'}
    assert signed_out.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    assert signed_out.cookies[settings.SHOP_PRIVATE_VERSION_COOKIE]["max-age"] == 0
    assert set(directives(signed_out)) == {"private", "no-store"}

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session
    assert "cart-count" not in replay.get("/fragments/cart-count").content.decode()
    assert "Your cart is empty" in replay.get("/cart/").content.decode()


@pytest.fixture
def catalog_sku(world) -> str:
    from shop.catalog.models import Variant

    return Variant.objects.get(sku="SOAK-TUMBLER").sku
