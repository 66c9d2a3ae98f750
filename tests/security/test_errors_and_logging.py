"""docs/threats.md cases 20-22, errors and logging: the tests that were missing.

Elsewhere (docs/security.md has the whole map): a real broken table on public pages over HTTP,
request ids the client cannot choose, one access line per request (tests/core/test_errors.py);
schema fuzzing (tests/fuzz/); secrets dropped from event details, refused tokens and failed
sign-ins logged without the secret (tests/accounts/test_security_events.py); alert rules and
the security page (tests/monitoring/test_alerts.py, tests/e2e/test_dashboard_browser.py).
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from shop.monitoring.models import SecurityEvent
from tests.support.http import INTERNALS

from . import soak

pytestmark = pytest.mark.django_db

# What the failing database "says": SQL, a table, an email and a password-looking string. The
# log must have it; no response may.
DATABASE_SAYS = ('could not receive data from server: SELECT "password" FROM "accounts_user" '
                 "WHERE email = 'leak.me@example.com' -- hunter2-db-secret")
FROM_THE_DATABASE = ("hunter2", "accounts_user", "leak.me@example.com", "could not receive data")
# ...and in an error, nothing internal at all (tests/support/http.py INTERNALS); a page that
# worked may say "settings" or name an operation "shop_api_catalog_product_list".
NEVER_IN_AN_ERROR = (*INTERNALS, *FROM_THE_DATABASE, '"password"')


@contextmanager
def database_fails(after: int):
    """Every query after the first `after` of each request raises OperationalError, the way a
    database that went away does."""
    count = 0

    def fail(execute, sql, params, many, context):
        nonlocal count
        count += 1
        if count > after:
            raise OperationalError(DATABASE_SAYS)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield


def client_of(person: soak.Person) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = person.session
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {person.token}"
    return client


def test_case_20_a_database_error_on_any_route_is_generic_and_the_log_has_the_detail(
    world, app_log
):
    """The database fails at the first query, or a few queries in, on every route (pages,
    fragments, API, staff, admin; signed in, with the shopper's own ids) and on writes: each
    answer that fails is the generic 500 with its request id (HTML or the API error shape),
    `no-store`, with no SQL, table, trace, path, setting or secret; the log has the
    database's own words under that same request id."""
    shopper = world.shoppers[0]
    client = client_of(shopper)
    requests = [("GET", url, None) for route in soak.all_routes()
                for url in soak.sample([u for u in soak.filled_urls(route, shopper, world)
                                        if soak.own_values_only(u, route, shopper, world)], 1)]
    requests += [
        ("POST", "/api/v1/cart/items", json.dumps({"sku": shopper.cart_sku, "quantity": 1})),
        ("POST", "/api/v1/checkout", json.dumps(shopper.checkout_body)),
        ("POST", "/api/v1/auth/token", json.dumps({"email": shopper.email,
                                                   "password": soak.PASSWORD})),
        ("DELETE", f"/api/v1/cart/items/{shopper.cart_sku}", None),
    ]
    failures, failed = [], 0
    for after in (0, 3):
        for method, url, body in requests:
            with database_fails(after):
                response = client.generic(method, url, body or "",
                                          content_type="application/json")
            text = (b"".join(response.streaming_content) if response.streaming
                    else response.content).decode(errors="replace")
            where = f"{method} {url} (database fails after {after}) -> {response.status_code}"
            markers = NEVER_IN_AN_ERROR if response.status_code >= 400 else FROM_THE_DATABASE
            leaked = [marker for marker in markers if marker in text]
            if leaked:
                failures.append(f"{where}: {leaked}")
            if response.status_code < 500:
                continue
            failed += 1
            request_id = response["X-Request-ID"]
            if request_id not in text:
                failures.append(f"{where}: no request id in the body")
            if response["Cache-Control"] != "private, no-store":
                failures.append(f"{where}: {response['Cache-Control']}")
            if url.startswith("/api/"):
                error = json.loads(text).get("error", {})
                if error.get("code") != "server_error" or error.get("request_id") != request_id:
                    failures.append(f"{where}: {text[:200]}")
            logged = [r for r in app_log.find(request_id=request_id) if r.levelname == "ERROR"]
            if not any("hunter2-db-secret" in r.rendered + r.exception_text for r in logged):
                failures.append(f"{where}: the log has no detail under {request_id}")
    assert not failures, "\n".join(failures[:40])
    assert failed > len(requests)  # most routes reach the database, at one point or another


# --- case 22


def generate_every_kind(world, monkeypatch) -> dict[str, dict]:
    """One of each security event a shopper, a thief or a bug can cause, over HTTP; for each,
    what is known about it: who (user id), where (path), which request, and the secrets that
    were on the wire."""
    alice, bob = world.shoppers[:2]
    api = Client(raise_request_exception=False)
    expected = {}

    def record(kind, response, *, user_id, path, secrets):
        expected[kind] = {"request_id": response["X-Request-ID"], "user_id": user_id,
                          "path": path, "secrets": secrets}

    path = f"/api/v1/orders/{alice.numbers[0]}"
    response = api.get(path, HTTP_AUTHORIZATION=f"Bearer {bob.token}")
    assert response.status_code == 404
    record("object_access_denied", response, user_id=bob.user_id, path=path,
           secrets=(bob.token, *alice.markers[3:]))

    forged = bob.token[:-6] + "SECRET"
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401
    record("token_invalid", response, user_id=None, path="/api/v1/me",
           secrets=(forged, bob.token))

    wrong = "hunter2-Wrong-Password!"
    response = api.post("/api/v1/auth/token", {"email": alice.email, "password": wrong},
                        content_type="application/json")
    assert response.status_code == 401
    record("signin_failed", response, user_id=alice.user_id, path="/api/v1/auth/token",
           secrets=(wrong,))

    pair = api.post("/api/v1/auth/token", {"email": bob.email, "password": soak.PASSWORD},
                    content_type="application/json").json()
    api.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}, content_type="application/json")
    response = api.post("/api/v1/auth/refresh", {"refresh": pair["refresh"]},
                        content_type="application/json")
    assert response.status_code == 401
    record("refresh_replay", response, user_id=bob.user_id, path="/api/v1/auth/refresh",
           secrets=(pair["refresh"], pair["access"]))

    response = client_of(bob).get("/dashboard/")
    assert response.status_code == 403
    record("staff_permission_denied", response, user_id=bob.user_id, path="/dashboard/",
           secrets=(bob.session,))

    from shop.orders.models import Order
    from shop.policy import access

    def leaky(*, viewer, number, with_lines=True):
        return Order.objects.prefetch_related("lines").get(number=number)

    monkeypatch.setattr(access, "access_order", leaky)
    response = api.get(path, HTTP_AUTHORIZATION=f"Bearer {bob.token}")
    assert response.status_code == 500
    monkeypatch.undo()
    record("ownership_guard_tripped", response, user_id=bob.user_id, path=path,
           secrets=(bob.token, *alice.markers))

    for attempt in range(40):
        response = api.post("/api/v1/auth/token", {"email": alice.email,
                                                   "password": f"{wrong}{attempt}"},
                            content_type="application/json", REMOTE_ADDR="10.22.0.1")
        if response.status_code == 429:
            break
    assert response.status_code == 429
    kinds = set(SecurityEvent.objects.filter(request_id=response["X-Request-ID"])
                .values_list("kind", flat=True))
    assert kinds & {"throttled", "signin_locked"}, kinds
    record(sorted(kinds & {"throttled", "signin_locked"})[0], response, user_id=None,
           path="/api/v1/auth/token", secrets=(wrong,))
    return expected


def test_case_22_every_kind_of_security_event_says_who_what_when_and_keeps_no_secret(
    world, monkeypatch, app_log
):
    """Denied object access, a refused token, a failed sign-in, a replayed refresh token, a
    customer on a staff page, a guard trip and throttling: each is one stored event with its
    kind, when, from which address, on which path, under the request id the client was given,
    and whose (the principal, or the account aimed at); none holds a password, a token, a
    session id, the other shopper's data, or a card; the `shop.security` log line neither."""
    started = timezone.now()
    expected = generate_every_kind(world, monkeypatch)
    failures = []
    for kind, facts in expected.items():
        events = list(SecurityEvent.objects.filter(kind=kind, request_id=facts["request_id"]))
        if len(events) != 1:
            failures.append(f"{kind}: {len(events)} events under its request id")
            continue
        (event,) = events
        if not started <= event.created_at <= timezone.now():
            failures.append(f"{kind}: created_at {event.created_at}")
        if facts["user_id"] is not None and event.user_id != facts["user_id"]:
            failures.append(f"{kind}: user {event.user_id}, expected {facts['user_id']}")
        if event.path != facts["path"] or not event.ip:
            failures.append(f"{kind}: path {event.path!r}, ip {event.ip!r}")
        stored = json.dumps({"path": event.path, "details": event.details, "ip": event.ip})
        logged = " ".join(
            json.dumps(vars(r), default=str) for r in app_log.find(logger="shop.security",
                                                                    request_id=facts["request_id"]))
        for secret in (*facts["secrets"], "4242424242424242", "hunter2"):
            for where, text in (("event", stored), ("log", logged)):
                if secret and secret in text and secret not in facts["path"]:
                    failures.append(f"{kind}: {where} holds {secret[:12]}...")
        if re.search(r"\b\d{13,19}\b", stored):
            failures.append(f"{kind}: a card-like number in {stored}")
    assert not failures, "\n".join(failures)
    assert len(expected) == 7


def test_case_22_a_nul_byte_in_the_path_neither_fails_nor_escapes_the_security_log(world):
    """A shopper probing a staff route with `%00` in the path gets the same 403 as without
    it, and the probe is recorded like any other (NUL bytes are stripped before saving:
    PostgreSQL refuses them in text)."""
    bob = world.shoppers[1]
    for path in ("/dashboard/orders/BFM-2222222222%00/", "/api/v1/admin/orders/x%00.css"):
        response = client_of(bob).get(path)
        assert response.status_code == 403, (path, response.status_code)
        assert SecurityEvent.objects.filter(kind="staff_permission_denied",
                                            request_id=response["X-Request-ID"]).exists()
