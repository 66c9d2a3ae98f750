"""docs/threats.md case 18 (and case 2 at scale): the multi-user concurrent soak with cancelled
requests. Eight shoppers, a support staff member and a stranger ask every route of the shop,
filled with their own and everyone else's object ids, through two hostile nginx caches in front
of the production app server, concurrently, shuffled with a fixed seed, some requests cancelled
mid-flight: zero bytes of one shopper's identifying data reach anyone else, and zero 5xx.

The harness is in tests/security/soak.py. Its self-test runs the same machinery against the
shop with the incident's bug planted (every response marked public) and must find leaks.

Size: SOAK_REQUESTS (at least; whole shuffled rounds of every call: default 10,000 on
PostgreSQL, 5,000 on SQLite, where writers from
several processes queue on one file lock), SOAK_SEED (default fixed), SOAK_THREADS (16).
A summary is written to test-artifacts/soak-<backend>.json.
"""

from __future__ import annotations

import json
import os

import pytest
from django.db import connection

from shop.accounts.models import Address, User
from shop.cart.models import CartLine
from shop.monitoring.models import SecurityEvent
from shop.orders.models import Order

from . import soak

pytestmark = [pytest.mark.nginx, pytest.mark.django_db(transaction=True)]

SEED = int(os.environ.get("SOAK_SEED", "1807"))
THREADS = int(os.environ.get("SOAK_THREADS", "16"))


def soak_size() -> int:
    if os.environ.get("SOAK_REQUESTS"):
        return int(os.environ["SOAK_REQUESTS"])
    return 10_000 if connection.vendor == "postgresql" else 5_000


def snapshot() -> dict:
    """Who owns what, and in which state: the soak's writes on other people's objects must
    change none of it."""
    return {
        "orders": sorted(Order.objects.values_list("number", "user_id", "status", "total")),
        "addresses": sorted(Address.objects.values_list("pk", "user_id", "name", "line1")),
        "users": sorted(User.objects.values_list("pk", "email", "is_active")),
    }


def test_case_18_soak_no_shopper_ever_receives_another_shoppers_data(app_stack, artifacts_dir):
    world = soak.build_world(shoppers=8)
    before = snapshot()
    stack = app_stack()
    routes = soak.all_routes()
    plan = soak.build_plan(world, target=soak_size(), seed=SEED, routes=routes)
    report = soak.Runner(world, [cache.url for cache in stack.caches], threads=THREADS).run(plan)

    summary = {"backend": connection.vendor, "seed": SEED, "threads": THREADS,
               "people": len(world.people), "routes": len(routes), **report.summary()}
    (artifacts_dir / f"soak-{connection.vendor}.json").write_text(json.dumps(summary, indent=2))
    print("\nsoak:", json.dumps(summary))

    assert len(report.outcomes) >= soak_size(), summary
    assert not report.leaks, "cross-user data:\n" + "\n".join(report.leaks[:50])
    assert not report.server_errors, (
        "5xx:\n" + "\n".join(report.server_errors[:50]) + "\n" + stack.logs()
    )
    assert not report.errors, "transport errors:\n" + "\n".join(report.errors[:50])

    # Every route was really asked (a new route joins the soak by existing).
    missing = {route.name for route in routes} - report.routes_reached()
    assert not missing, f"routes the soak never reached: {sorted(missing)}"
    # The absence of leaks means something: each shopper did receive their own data...
    seen = report.own_data_seen_by()
    assert all(seen[p.key] > 20 for p in world.shoppers), seen
    # ...the caches were really caching (public pages), the CDN rule really stored the
    # deception paths, and nothing private was ever served from the URL-keyed cache.
    cache = report.cache_statuses()
    assert cache[(0, "HIT")] > 20, summary
    assert cache[(1, "HIT")] > 20, summary
    private_hits = [
        f"{o.call.who} {o.call.path}" for o in report.completed
        if o.cache_status == "HIT" and "public" not in o.cache_control and not o.call.deception
        and not o.call.path.endswith((".css", ".js", ".png"))
    ]
    assert not private_hits, private_hits[:20]
    # case 4 under load: nothing served from either cache ever carries a Set-Cookie
    cookies_from_cache = [f"{o.call.who} {o.call.path}" for o in report.completed
                          if o.cache_status == "HIT" and o.set_cookie]
    assert not cookies_from_cache, cookies_from_cache[:20]
    # ...and the writes on other people's objects changed nothing, the guard never tripped.
    assert snapshot() == before
    for person in world.shoppers:
        skus = set(CartLine.objects.filter(cart__user_id=person.user_id)
                   .values_list("sku", flat=True))
        assert skus == {person.cart_sku}, (person.key, skus)
    assert not SecurityEvent.objects.filter(kind="ownership_guard_tripped").exists()


def test_case_18_the_soak_finds_the_leak_when_the_app_marks_private_data_public(app_stack):
    """The harness can fail: the same soak against the shop with the incident's bug planted
    (tests/security/leaky_wsgi.py marks every response public) reports leaks."""
    world = soak.build_world(shoppers=3)
    stack = app_stack(target="tests.security.leaky_wsgi:application")
    wanted = {"api:order_list", "api:me", "api:cart", "web:account", "web:order_list",
              "web:address_list", "web:header_fragment"}
    routes = [route for route in soak.all_routes() if route.name in wanted]
    plan = soak.build_plan(world, target=300, seed=SEED, routes=routes, cancel_rate=0)
    report = soak.Runner(world, [cache.url for cache in stack.caches], threads=4).run(plan)
    assert report.leaks, report.summary()
    leaked_routes = {leak.split()[2].split("?")[0] for leak in report.leaks}
    assert {"/api/v1/orders", "/api/v1/me", "/account/"} & leaked_routes, leaked_routes
