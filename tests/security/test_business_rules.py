"""docs/threats.md cases 23-26, business rules, load and supply chain: the tests that were missing.

Elsewhere (docs/security.md has the whole map): the last units raced on PostgreSQL and the
idempotent retries (tests/orders/test_concurrency.py), checkout steps that cannot be skipped
(tests/orders/test_checkout_web.py), stock caps (tests/cart/), security headers and
`check --deploy` (tests/security/test_headers.py), `make audit` in CI (.ci/run).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import create_product
from tests.support.http import INTERNALS, describe
from tooling import audit_dependencies

from . import soak

ROOT = Path(__file__).resolve().parents[2]
TWO_MEGABYTES = 2 * 1024 * 1024


def api_operations(client) -> list[tuple[str, str, dict]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [(method.upper(), path, operation) for path, methods in schema["paths"].items()
            for method, operation in methods.items()]


def fill(path: str, person: soak.Person) -> str:
    return (path.replace("{number}", person.numbers[0]).replace("{sku}", person.cart_sku)
            .replace("{slug}", "organic-cotton-tee"))


def check_refused(response, where: str, failures: list[str]) -> None:
    """A 4xx that says so in the shop's words: never a 5xx, never the operation's success."""
    if not 400 <= response.status_code < 500:
        failures.append(f"{where}: {describe(response)}")
        return
    if response.headers.get("cache-control") != "private, no-store":
        failures.append(f"{where}: {response.headers.get('cache-control')}")
    leaked = [m for m in INTERNALS if m in response.text]
    if leaked:
        failures.append(f"{where}: {leaked}")
    if response.request.url.path.startswith("/api/"):
        body = response.json()
        if set(body) != {"error"} or set(body["error"]) != {"code", "message", "request_id"}:
            failures.append(f"{where}: not the error shape: {response.text[:200]}")


@pytest.mark.django_db(transaction=True)
def test_case_24_oversized_and_malformed_bodies_are_refused_on_every_write_route(live_http):
    """Over a real socket: a 2 MB JSON body on every API operation that reads one (with a
    valid token, so that the body is what decides), a 2 MB form on every storefront route
    (with a valid session and CSRF cookie), JSON nested 50,000 deep, a form of 1,000 fields
    and a 60 kB query string: each is a 4xx in the error shape (or the error page), `no-store`,
    never a 500 and never a success."""
    world = soak.build_world(shoppers=1)
    shopper = world.shoppers[0]
    bearer = {"Authorization": f"Bearer {shopper.token}"}
    cookies = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={shopper.session}; "
                         f"{settings.CSRF_COOKIE_NAME}={shopper.csrf}"}
    huge_json = json.dumps({"sku": "x" * TWO_MEGABYTES, "quantity": 1})
    deep_json = "[" * 50_000 + "]" * 50_000
    failures, writes = [], 0
    for method, path, operation in api_operations(live_http):
        if "requestBody" not in operation:  # never read (DELETE /cart/items/{sku}): no cost
            continue
        writes += 1
        url = fill(path, shopper)
        for name, body in (("2 MB", huge_json), ("deep", deep_json)):
            response = live_http.request(method, url, content=body,
                                         headers={**bearer, "Content-Type": "application/json"})
            check_refused(response, f"{method} {url} with a {name} body", failures)
    web_routes = [r for r in soak.all_routes()
                  if not r.name.startswith(("api:", "admin:")) and not r.public]
    huge_form = f"csrfmiddlewaretoken={shopper.csrf}&q=" + "x" * TWO_MEGABYTES
    many_fields = "&".join([f"csrfmiddlewaretoken={shopper.csrf}",
                            *(f"f{i}=1" for i in range(1000))])
    for route in web_routes:
        for url in soak.sample(soak.filled_urls(route, shopper, world), 1):
            for name, body in (("2 MB", huge_form), ("1,000 fields", many_fields)):
                response = live_http.post(url, content=body, headers={
                    **cookies, "Content-Type": "application/x-www-form-urlencoded"})
                check_refused(response, f"POST {url} with a {name} form", failures)
    for url in ("/products/", "/api/v1/products", "/account/orders/", "/api/v1/orders"):
        response = live_http.get(f"{url}?q={'x' * 60_000}", headers={**bearer, **cookies})
        if response.status_code >= 500:
            failures.append(f"GET {url} with a 60 kB query: {describe(response)}")
    assert not failures, "\n".join(failures)
    assert writes >= 7
    assert len(web_routes) > 30


@pytest.mark.django_db
def test_case_24_page_sizes_are_capped_on_every_list(world):
    """Every API operation with a `limit`: above its maximum, zero, negative or not a number is
    a 422; at its maximum it answers at most that many. The storefront's lists ignore page-size
    parameters a client makes up."""
    category = world.shoppers[0]  # any shopper: the lists are theirs
    for number in range(30):
        create_product(f"Cap Test Item {number:02d}", category=_home(),
                       variants=[{"price": "3.00", "stock": 1}])
    admin = _admin_token()
    client = Client()
    failures = []
    for method, path, operation in api_operations(client):
        limits = [p for p in operation.get("parameters", []) if p["name"] == "limit"]
        if method != "GET" or not limits:
            continue
        maximum = limits[0]["schema"].get("maximum")
        if not maximum:
            failures.append(f"{path}: limit without a documented maximum")
            continue
        token = admin if path.startswith("/api/v1/admin/") else category.token
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        for bad in (maximum + 1, 10**9, 0, -1, "1e3", "ten"):
            response = client.get(f"{path}?limit={bad}", **headers)
            if response.status_code != 422:
                failures.append(f"GET {path}?limit={bad} -> {response.status_code}")
        response = client.get(f"{path}?limit={maximum}", **headers)
        if response.status_code != 200 or len(response.json()["items"]) > maximum:
            failures.append(f"GET {path}?limit={maximum} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    # (`size` is a filter of the storefront since issue 15: a clothing size, not a page size)
    page = Client().get("/products/?limit=1000&page_size=1000&per_page=1000&count=1000").content
    assert len(re.findall(rb'class="product-name"', page)) == settings.SHOP_PAGE_SIZE


def _home():
    from shop.catalog.models import Category

    return Category.objects.get(slug="home")


def _admin_token() -> str:
    from django.contrib.auth.models import Group

    from shop.accounts.tokens import access_token_issue
    from shop.staff.roles import ROLES
    from tests.factories import create_user

    user = create_user("cap.admin@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=ROLES["admin"][0]))
    return access_token_issue(user=user)


@pytest.mark.django_db
def test_case_24_quantities_are_capped_everywhere(world):
    """A line holds 1 to 99 units, whole numbers only, through the API and the storefront,
    whether in one request or by adding up; nothing else gets written."""
    from shop.cart.models import MAX_LINE_QUANTITY, CartLine

    shopper = world.shoppers[0]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {shopper.token}")
    before = list(CartLine.objects.values_list("sku", "quantity"))
    for quantity in (MAX_LINE_QUANTITY + 1, 10**12, -1, 0, 1.5, "5", None, True):
        response = api.post("/api/v1/cart/items", {"sku": "SOAK-TUMBLER", "quantity": quantity},
                            content_type="application/json")
        assert response.status_code == 422, (quantity, response.content)
        response = api.patch(f"/api/v1/cart/items/{shopper.cart_sku}", {"quantity": quantity},
                             content_type="application/json")
        assert response.status_code == 422 or quantity == 0, (quantity, response.content)
        if quantity == 0:  # 0 removes the line: put it back
            api.post("/api/v1/cart/items", {"sku": shopper.cart_sku, "quantity": 2},
                     content_type="application/json")
    assert sorted(CartLine.objects.values_list("sku", "quantity")) == sorted(before)

    for _ in range(3):  # adding up: 3 x 40 is capped at 99
        api.post("/api/v1/cart/items", {"sku": "SOAK-TUMBLER", "quantity": 40},
                 content_type="application/json")
    line = CartLine.objects.get(cart__user_id=shopper.user_id, sku="SOAK-TUMBLER")
    assert line.quantity == MAX_LINE_QUANTITY

    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = shopper.session
    for quantity in ("100", "1000000000000", "-3", "2.5", "ninety"):
        browser.post("/cart/update/", {"sku": "SOAK-TUMBLER", "quantity": quantity})
        browser.post("/cart/add/", {"sku": shopper.cart_sku, "quantity": quantity})
    assert CartLine.objects.get(pk=line.pk).quantity == MAX_LINE_QUANTITY
    assert all(1 <= q <= MAX_LINE_QUANTITY for q in CartLine.objects.values_list("quantity",
                                                                                 flat=True))


# --- case 26: the dependency audit says what it did, and bandit finds nothing high


def _audit_module():
    return audit_dependencies


def _report(*dependencies) -> dict:
    return {"dependencies": list(dependencies), "fixes": []}


CLEAN = {"name": "django", "version": "5.2.19", "vulns": []}
SKIPPED = {"name": "orjson", "skip_reason": "Dependency not found on PyPI and could not be "
                                           "audited: orjson (3.13.0)"}
VULNERABLE = {"name": "pillow", "version": "1.0", "vulns": [
    {"id": "PYSEC-0000-0", "fix_versions": ["13.0.0"], "description": "planted"}]}


@pytest.mark.parametrize(("reports", "strict", "code", "says"), [
    ({"pypi": _report(CLEAN, VULNERABLE)}, False, 1, "VULNERABLE pillow 1.0: PYSEC-0000-0"),
    ({"pypi": _report(CLEAN)}, False, 0, "1 packages audited, no known vulnerabilities"),
    ({"pypi": _report(SKIPPED), "osv": _report(SKIPPED)}, False, 0, "DID NOT RUN"),
    ({"pypi": _report(SKIPPED), "osv": None}, True, 2, "DID NOT RUN"),
    ({"pypi": _report(SKIPPED), "osv": _report(CLEAN, SKIPPED)}, False, 0, "NOT audited"),
    ({"pypi": _report(SKIPPED), "osv": _report(SKIPPED, VULNERABLE)}, False, 1, "VULNERABLE"),
], ids=["vulnerable", "clean", "unreachable", "unreachable-strict", "partial", "osv-finds"])
def test_case_26_the_dependency_audit_fails_on_a_vulnerability_and_never_fakes_a_pass(
    monkeypatch, capsys, reports, strict, code, says
):
    """tooling/audit_dependencies.py (`make audit`, once per CI run): pip-audit reports
    "No known vulnerabilities found" and exits 0 when it could not reach PyPI or OSV at all;
    the wrapper reads its report instead: a vulnerability fails, an audit that could not run
    says so loudly (and fails with AUDIT_STRICT=1)."""
    module = _audit_module()
    monkeypatch.setattr(module, "audit", lambda requirements, service: reports.get(service))
    monkeypatch.setattr(sys, "argv", ["audit_dependencies.py", "constraints.txt"])
    if strict:
        monkeypatch.setenv("AUDIT_STRICT", "1")
    else:
        monkeypatch.delenv("AUDIT_STRICT", raising=False)
    assert module.main() == code
    assert says in capsys.readouterr().out


def test_case_26_bandit_finds_nothing_of_high_severity():
    """The same bandit run as `make audit`, so that `make test` alone says it too."""
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run([str(bandit), "-r", "shop", "config", "-lll", "-f", "json", "-q"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    high = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
            for r in report["results"] if r["issue_severity"] == "HIGH"]
    assert not high, "\n".join(high)
    assert report["metrics"]["_totals"]["loc"] > 5000  # it really read the code
