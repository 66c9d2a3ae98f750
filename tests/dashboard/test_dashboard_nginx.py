"""The seed incident, on the staff side: a URL-keyed nginx proxy_cache in front of the app
(tests/support/nginx.py), two staff members and a stranger hitting every staff page and staff
API route, interleaved and concurrently. Nothing is ever served from the cache, and nobody
receives anyone else's session or the customer's data without the right role."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from tests.support.api import api_headers
from tests.support.http import session_cookie_for

pytestmark = pytest.mark.nginx


def staff_paths(shop) -> list[str]:
    return [
        reverse("dashboard:index"),
        reverse("dashboard:order_list"),
        reverse("dashboard:order_detail", args=[shop.order.number]),
        reverse("dashboard:customer_list"),
        reverse("dashboard:customer_detail", args=[shop.customer.pk]),
        reverse("dashboard:product_list"),
        reverse("dashboard:security"),
        reverse("dashboard:security_alerts"),
        reverse("dashboard:audit_log"),
        reverse("dashboard:staff_list"),
        "/api/v1/admin/orders",
        f"/api/v1/admin/orders/{shop.order.number}",
        "/api/v1/admin/audit-events",
        "/api/v1/admin/security-events",
    ]


def test_staff_pages_through_a_hostile_cache(nginx_cache, shop):
    visitors = {
        # support may read orders and customers, not security or staff
        "support": {"Cookie": session_cookie_for(shop.support),
                    "Authorization": api_headers(shop.support)["HTTP_AUTHORIZATION"]},
        "admin": {"Cookie": session_cookie_for(shop.admin),
                  "Authorization": api_headers(shop.admin)["HTTP_AUTHORIZATION"]},
        "stranger": {},
    }
    names = {"support": "Sue Support", "admin": "Ada Admin"}
    paths = staff_paths(shop)
    admin_only = {reverse("dashboard:security"), reverse("dashboard:security_alerts"),
                  reverse("dashboard:audit_log"), reverse("dashboard:staff_list"),
                  "/api/v1/admin/audit-events", "/api/v1/admin/security-events"}

    def visit(job):
        who, path = job
        return who, path, nginx_cache.get(path, headers=visitors[who])

    jobs = [(who, path) for _ in range(3) for path in paths for who in visitors]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(visit, jobs))

    failures = []
    for who, path, response in results:
        body = response.text
        if response.headers.get("x-cache-status") == "HIT":
            failures.append(f"{who} {path}: served from the cache")
        if response.headers.get("cache-control") != "private, no-store":
            failures.append(f"{who} {path}: {response.headers.get('cache-control')!r}")
        lists_staff = who == "admin" and path == reverse("dashboard:staff_list")  # by design
        for other, name in names.items():
            if other != who and name in body and not lists_staff:
                failures.append(f"{who} {path}: saw {other}'s session ({name})")
        may_see_customer = who == "admin" or (who == "support" and path not in admin_only)
        if not may_see_customer:
            leaked = [s for s in shop.secrets if s in body]
            if leaked:
                failures.append(f"{who} {path}: received {leaked}")
    assert not failures, "\n".join(failures) + "\n" + nginx_cache.logs()
    # the checks could fail: the staff pages do show names and the customer to those allowed
    seen = {(who, path) for who, path, r in results if shop.customer.email in r.text}
    assert ("support", reverse("dashboard:order_detail", args=[shop.order.number])) in seen
    assert ("admin", "/api/v1/admin/orders") in seen
