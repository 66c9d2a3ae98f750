"""The incident's own set-up, for real: a URL-keyed nginx proxy_cache that ignores Vary and
Set-Cookie and honours the app's Cache-Control sits in front of the live server
(docs/contract.md §5.5, docs/threats.md cases 2 and 4).

Public pages must be cached (MISS then HIT) and be the anonymous bytes; nothing personal may
ever be stored, so user B never receives a byte of user A's page.
"""

import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.shipping.models import ShippingMethod
from tests.conftest import require
from tests.factories import create_user
from tests.support.http import assert_public, describe, session_cookie_for, sign_in_through
from tests.support.nginx import NginxCache
from tooling.stack import nginx_binary

pytestmark = pytest.mark.nginx

PASSWORD = "a long and unguessable passphrase 7"

PUBLIC_PATHS = [
    "/",
    "/c/clothing/",
    "/products/",
    "/products/?q=tee&in_stock=on&sort=price",
    "/products/organic-cotton-tee/",
    "/api/v1/categories",
    "/api/v1/products",
    "/api/v1/products?category=home&sort=-price&limit=1",
    "/api/v1/products/organic-cotton-tee",
    "/api/v1/shipping-methods",
    "/api/v1/openapi.json",
    "/api/v1/docs",
]

# Every route that is not public, with pages that show who is signed in (the header fragment
# greets by first name; every admin page says "Welcome, <first name>").
PRIVATE_PATHS = [
    "/fragments/header",
    "/admin/",
    "/admin/password_change/",
    "/admin/catalog/product/",
    "/healthz",
    "/api/v1/",
    "/no-such-page/",
    "/products/does-not-exist/",
    "/api/v1/products/does-not-exist",
]


@pytest.fixture
def shop(catalog):
    ShippingMethod.objects.get_or_create(
        code="standard", defaults={"name": "Standard delivery", "price": Decimal("4.95")}
    )
    return catalog


@pytest.fixture
def people(shop):
    """Two staff members with names that appear nowhere else (admins, so that the admin pages
    render their names too: Django's admin is for superusers only), and their identifying
    strings."""
    alice = create_user(
        "alicia.quartermaine@example.com",
        password=PASSWORD,
        name="Alicia Quartermaine",
        is_staff=True,
        is_superuser=True,
    )
    bob = create_user(
        "bartholomew.oyelaran@example.com",
        password=PASSWORD,
        name="Bartholomew Oyelaran",
        is_staff=True,
        is_superuser=True,
    )
    return {
        alice: ("Alicia", "Quartermaine", "alicia.quartermaine"),
        bob: ("Bartholomew", "Oyelaran", "bartholomew.oyelaran"),
    }


def test_public_pages_are_cached_and_identical(nginx_cache, shop):
    for path in PUBLIC_PATHS:
        first = nginx_cache.get(path)
        assert_public(first)
        assert first.headers["x-cache-status"] == "MISS", describe(first)
        second = nginx_cache.get(path)
        assert second.headers["x-cache-status"] == "HIT", (
            f"{describe(second)}\n{nginx_cache.logs()}"
        )
        assert second.content == first.content, path
        assert second.headers["etag"] == first.headers["etag"]
        assert "set-cookie" not in second.headers, describe(second)


def test_a_signed_in_visitor_warms_the_cache_with_anonymous_bytes(nginx_cache, live_http, people):
    alice, (first_name, last_name, email) = next(iter(people.items()))
    cookie = {"Cookie": session_cookie_for(alice), "Authorization": "Bearer some-token"}
    anonymous_origin = {path: live_http.get(path).content for path in PUBLIC_PATHS}
    for path in PUBLIC_PATHS:
        warmed = nginx_cache.get(path, headers=cookie)
        assert warmed.headers["x-cache-status"] == "MISS", describe(warmed)
        assert "set-cookie" not in warmed.headers, describe(warmed)
        for secret in (first_name, last_name, email):
            assert secret not in warmed.text, f"{path}: {secret} in a public page"
        # Same bytes as the anonymous page straight from the app, and as what the next
        # (anonymous) visitor receives from the cache.
        assert warmed.content == anonymous_origin[path], path
        served = nginx_cache.get(path)
        assert served.headers["x-cache-status"] == "HIT", describe(served)
        assert served.content == anonymous_origin[path], path


def test_private_pages_are_never_cached_nor_shared(nginx_cache, people):
    (alice, alice_marks), (bob, bob_marks) = people.items()
    visitors = {
        # a real sign-in through the cache, the way a browser does it
        "alice": (
            {"Cookie": sign_in_through(nginx_cache.client, email=alice.email, password=PASSWORD)},
            alice_marks,
            bob_marks,
        ),
        "bob": ({"Cookie": session_cookie_for(bob)}, bob_marks, alice_marks),
        "stranger": ({}, (), alice_marks + bob_marks),
    }
    seen_own_name = {"alice": set(), "bob": set()}
    failures = []
    for path in PRIVATE_PATHS:
        for _round in range(3):
            for who, (headers, own, others) in visitors.items():
                response = nginx_cache.get(path, headers=headers)
                status = response.headers.get("x-cache-status")
                if status == "HIT":
                    failures.append(f"{who} {path}: served from the cache")
                if "no-store" not in response.headers.get("cache-control", ""):
                    failures.append(f"{who} {path}: {response.headers.get('cache-control')!r}")
                leaked = [mark for mark in others if mark in response.text]
                if leaked:
                    failures.append(f"{who} {path}: received {leaked}")
                if own and own[0] in response.text:
                    seen_own_name[who].add(path)
    assert not failures, "\n".join(failures) + "\n" + nginx_cache.logs()
    # The check above could only fail if names show up at all: they do, for their owner.
    for who in ("alice", "bob"):
        assert {"/fragments/header", "/admin/", "/admin/password_change/"} <= seen_own_name[who], (
            who,
            seen_own_name[who],
        )


def test_errors_are_not_cached(nginx_cache, shop):
    for path in (
        "/products/does-not-exist/",
        "/no-such-page/",
        "/products/?sort=bogus",
        "/api/v1/products/does-not-exist",
        "/api/v1/products?limit=1000",
        "/api/v1/products?cursor=garbage",
        "/products/x.css",
    ):
        statuses = [nginx_cache.get(path) for _ in range(3)]
        assert all(400 <= r.status_code < 500 for r in statuses), [describe(r) for r in statuses]
        assert [r.headers["x-cache-status"] for r in statuses] == ["MISS"] * 3, path
        # each answer is fresh: a new request id every time
        assert len({r.headers["x-request-id"] for r in statuses}) == 3, path


@pytest.mark.parametrize("nginx_cache", [{"static_rule": True}], indirect=True)
def test_cache_deception_through_a_cache_static_cdn_rule(nginx_cache, people):
    """A CDN rule that caches every .css/.js/.png whatever the app says (Omer Gil's Web Cache
    Deception): the app answers such paths with a data-free 404, so what gets cached is
    harmless."""
    (alice, alice_marks), (bob, _) = people.items()
    alice_cookie = {"Cookie": session_cookie_for(alice)}
    bob_cookie = {"Cookie": session_cookie_for(bob)}
    paths = [
        "/fragments/header.css",
        "/fragments/header/x.css",
        "/fragments/header;x.css",
        "/admin/x.css",
        "/admin/password_change/x.js",
        "/account/orders/x.css",
        "/products/organic-cotton-tee/x.png",
        "/api/v1/products/x.css",
    ]
    for path in paths:
        planted = nginx_cache.get(path, headers=alice_cookie)
        assert planted.status_code in (302, 404), describe(planted)
        assert not [mark for mark in alice_marks if mark in planted.text], path
        fetched = nginx_cache.get(path, headers=bob_cookie)
        # The rule really is in force: the second request is served from the cache...
        assert fetched.headers["x-cache-status"] == "HIT", f"{describe(fetched)}"
        # ...and what it stored has nothing of Alice's in it.
        assert not [mark for mark in alice_marks if mark in fetched.text], path


# --- The rig itself: it must be able to leak, or the tests above prove nothing.


class _LeakyHandler(BaseHTTPRequestHandler):
    """An app that makes the incident's mistake: a personal page marked public."""

    def do_GET(self):  # the name http.server calls
        body = f"hello {self.headers.get('Cookie', 'stranger')}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Cache-Control", "public, max-age=60")
        self.send_header("Vary", "Cookie")
        self.send_header("Set-Cookie", "seen=1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_rig_serves_one_users_public_response_to_another(tmp_path):
    require(nginx_binary() is not None, "nginx")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LeakyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    cache = NginxCache(f"http://127.0.0.1:{server.server_address[1]}", tmp_path)
    try:
        cache.start()
        first = cache.get("/me", headers={"Cookie": "user=alice"})
        assert first.text == "hello user=alice"
        second = cache.get("/me", headers={"Cookie": "user=bob"})
        assert second.headers["x-cache-status"] == "HIT"
        assert second.text == "hello user=alice"  # Vary and Set-Cookie did not protect Bob
    finally:
        cache.stop()
        server.shutdown()
        server.server_close()
