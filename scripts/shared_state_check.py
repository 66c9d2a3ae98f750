"""Measures what issue 11 found: does state that must agree between two requests of one person
agree when `make run` serves the shop with several worker processes (signed-in shoppers, and
guests: issue 14)? And what does a Redis outage do to them?

    .venv/bin/python scripts/shared_state_check.py            # make run's set-up: 2 workers,
                                                              # SQLite, no REDIS_URL
    .venv/bin/python scripts/shared_state_check.py --redis    # the same with its own Redis,
                                                              # killed half-way

It makes a throw-away var/ directory (SQLite database, secret key, mail), migrates, seeds a small
demo shop, starts granian with local settings (as `make run` does) on a free port on 127.0.0.1,
and sends every request on a fresh connection, so that requests spread over the workers. With
--redis it starts redis-server on a free port (no persistence) and stops it with SIGKILL before
the outage round. Nothing but 127.0.0.1 is contacted; everything it started is stopped at the
end. Prints one line per measurement and a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PASSWORD = "shared-state demo passphrase"
ADDRESS = {"name": "Sam Shopper", "line1": "1 Test Street", "line2": "", "city": "Berlin",
           "postal_code": "10115", "country": "DE"}
CARD = {"card_number": "4242 4242 4242 4242", "exp_month": "12", "exp_year": "2099",
        "cvc": "123"}
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Keeps cookies itself; every request on a fresh connection (Connection: close)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Connection": "close", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        with httpx.Client(base_url=self.base, timeout=30, follow_redirects=False) as http:
            response = http.request(method, path, headers=headers, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            name, _, value = header.split(";", 1)[0].partition("=")
            if not value or value == '""' or "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def form(self, path: str, data: dict, page: str | None = None) -> httpx.Response:
        if page:
            self.request("GET", page)
        token = self.cookies.get("bfm_csrftoken", "")
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": token},
                            headers={"Origin": self.base})

    def signed_in(self) -> bool:
        return self.request("GET", "/account/").status_code == 200


def api(base: str, method: str, path: str, *, token: str | None = None,
        body: dict | None = None) -> httpx.Response:
    headers = {"Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(base_url=base, timeout=30) as http:
        return http.request(method, path, json=body, headers=headers)


def order_number(n: int) -> str:
    digits = []
    for _ in range(10):
        n, r = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[r])
    return "BFM-" + "".join(reversed(digits))


def measure(base: str, sql, results: dict) -> None:
    email = "shopper@example.com"

    # 1. storefront sign-out, then the old cookie on 40 fresh connections
    browser = Browser(base)
    browser.form("/account/sign-in/", {"email": email, "password": PASSWORD},
                 page="/account/sign-in/")
    for _ in range(10):
        browser.signed_in()
    old = dict(browser.cookies)
    browser.form("/account/sign-out/", {}, page="/account/")

    def replayed() -> bool:  # the old cookie as it was, every time (a copied cookie)
        replay = Browser(base)
        replay.cookies = dict(old)
        return replay.signed_in()

    results["signed_out_cookie_still_signed_in"] = f"{sum(replayed() for _ in range(40))}/40"

    # 2. API logout, then the old access token on 60 fresh connections
    pair = api(base, "POST", "/api/v1/auth/token", body={"email": email, "password": PASSWORD})
    pair.raise_for_status()
    access = pair.json()["access"]
    for _ in range(6):
        api(base, "GET", "/api/v1/me", token=access)
    api(base, "POST", "/api/v1/auth/logout", token=access, body={"refresh": pair.json()["refresh"]})
    alive = sum(api(base, "GET", "/api/v1/me", token=access).status_code == 200 for _ in range(60))
    results["logged_out_token_still_accepted"] = f"{alive}/60"

    # 3. checkout: after the address step, 12 GETs of the delivery step
    shopper = Browser(base)
    shopper.form("/account/sign-in/", {"email": email, "password": PASSWORD},
                 page="/account/sign-in/")
    sku = sql("SELECT sku FROM catalog_variant WHERE stock > 20 ORDER BY id LIMIT 1")
    shopper.form("/cart/add/", {"sku": sku, "quantity": "1"}, page="/cart/")
    shopper.form("/checkout/address/", ADDRESS, page="/checkout/address/")
    bounced = sum(
        shopper.request("GET", "/checkout/delivery/").status_code != 200 for _ in range(12)
    )
    results["checkout_delivery_bounced_to_address"] = f"{bounced}/12"

    # 4. 12 password-reset requests for one account (limit: 3 an hour)
    resetter = Browser(base)
    accepted = sum(
        resetter.form("/account/password-reset/", {"email": email},
                      page="/account/password-reset/").status_code == 302
        for _ in range(12)
    )
    results["password_resets_accepted"] = f"{accepted}/12 (limit 3)"

    # 5. order-number enumeration: misses until the first alert, alerts for one burst of 60
    mallory = api(base, "POST", "/api/v1/auth/token",
                  body={"email": "support@example.com", "password": PASSWORD}).json()["access"]
    first_alert = None
    for n in range(1, 61):
        api(base, "GET", f"/api/v1/orders/{order_number(n * 7919)}", token=mallory)
        if first_alert is None:
            time.sleep(0.05)  # the miss is counted after the response has left
            if int(sql("SELECT COUNT(*) FROM monitoring_alert WHERE rule='object_enumeration'")):
                first_alert = n
    time.sleep(0.5)
    alerts = sql("SELECT COUNT(*) FROM monitoring_alert WHERE rule='object_enumeration' "
                 "AND subject LIKE 'user %'")
    results["enumeration_alert_after_misses"] = first_alert
    results["enumeration_alerts_for_one_user"] = int(alerts)


def guest_checkout(base: str, sku: str, email: str, key: str) -> httpx.Response:
    body = {"email": email, "items": [{"sku": sku, "quantity": 1}], "shipping_address": ADDRESS,
            "shipping_method": "standard",
            "payment": {**CARD, "exp_month": 12, "exp_year": 2099}}
    with httpx.Client(base_url=base, timeout=30) as http:
        return http.post("/api/v1/guest/checkout", json=body,
                         headers={"Connection": "close", "Idempotency-Key": key})


def guest_lookup(base: str, number: str, token: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as http:
        return http.get(f"/api/v1/guest/orders/{number}", headers={
            "Connection": "close", "X-Order-Token": token}).status_code


def measure_guest(base: str, sql, results: dict) -> None:
    """Guest checkout (issue 14) on the same workers: one key, one order; the lookup throttle
    of one address; the storefront's guest steps. (Every request here comes from 127.0.0.1,
    whose enumeration alert the shopper's round already raised: the tests count a guest's
    wrong tokens from an address of their own, tests/shared_state/.)"""
    sku = sql("SELECT sku FROM catalog_variant WHERE stock > 20 ORDER BY id LIMIT 1")
    answers = [guest_checkout(base, sku, "guest@example.com", "guest-key-1") for _ in range(8)]
    numbers = {a.json().get("number") for a in answers if a.status_code == 201}
    results["guest_same_key_orders"] = f"{len(numbers)} order(s) for 8 sends of one key"
    number, token = answers[0].json()["number"], answers[0].json()["order_token"]
    answered = [guest_lookup(base, number, token) for _ in range(65)]  # one address
    results["guest_lookups_before_429"] = (
        f"{answered.index(429) if 429 in answered else 65}/65 (limit 60 per address)")
    guest = Browser(base)
    guest.request("GET", "/fragments/private")  # the CSRF cookie (as the page's script does)
    guest.form("/cart/add/", {"sku": sku, "quantity": "1"})
    guest.form("/checkout/guest/", {"email": "web.guest@example.com"}, page="/checkout/guest/")
    guest.form("/checkout/address/", ADDRESS, page="/checkout/address/")
    bounced = sum(guest.request("GET", "/checkout/delivery/").status_code != 200
                  for _ in range(12))
    results["guest_checkout_delivery_bounced"] = f"{bounced}/12"


def measure_redis_outage(base: str, redis: subprocess.Popen, sql, results: dict) -> None:
    email = "shopper@example.com"
    browser = Browser(base)
    browser.form("/account/sign-in/", {"email": email, "password": PASSWORD},
                 page="/account/sign-in/")
    access = api(base, "POST", "/api/v1/auth/token",
                 body={"email": email, "password": PASSWORD}).json()["access"]
    revoked = api(base, "POST", "/api/v1/auth/token",
                  body={"email": email, "password": PASSWORD}).json()
    api(base, "POST", "/api/v1/auth/logout", token=revoked["access"],
        body={"refresh": revoked["refresh"]})
    redis.send_signal(signal.SIGKILL)
    redis.wait()
    statuses: dict[str, Counter] = {}

    def note(name: str, status: int) -> None:
        statuses.setdefault(name, Counter())[status] += 1

    for _ in range(10):
        note("GET /products/", browser.request("GET", "/products/").status_code)
        note("GET /account/ (signed in)", browser.request("GET", "/account/").status_code)
        note("POST /api/v1/auth/token", api(base, "POST", "/api/v1/auth/token", body={
            "email": email, "password": PASSWORD}).status_code)
        for path in ("/api/v1/me", "/api/v1/orders", "/api/v1/cart"):
            note(f"GET {path} (valid token)", api(base, "GET", path, token=access).status_code)
        note("GET /api/v1/me (logged-out token)",
             api(base, "GET", "/api/v1/me", token=revoked["access"]).status_code)
        note("GET /healthz", api(base, "GET", "/healthz").status_code)
    sku = sql("SELECT sku FROM catalog_variant WHERE stock > 20 ORDER BY id LIMIT 1")
    placed = set()
    for _ in range(4):  # one guest checkout, retried on whichever worker answers
        answer = guest_checkout(base, sku, "outage.guest@example.com", "outage-key-1")
        note("POST /api/v1/guest/checkout (one key)", answer.status_code)
        if answer.status_code == 201:
            placed.add(answer.json()["number"])
            note("GET /api/v1/guest/orders/{number} (address throttled above)", guest_lookup(
                base, answer.json()["number"], answer.json()["order_token"]))
    results["redis_down_guest_orders_for_one_key"] = len(placed)
    results["redis_down"] = {name: dict(counter) for name, counter in statuses.items()}
    results["redis_down_5xx"] = sum(
        n for counter in statuses.values() for status, n in counter.items() if status >= 500
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", action="store_true",
                        help="also run with a Redis of its own, and kill it")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bfm-shared-state-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", SHOP_VAR_DIR=str(work),
               DEMO_PASSWORD=PASSWORD, LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    redis = None
    if args.redis:
        redis_binary = shutil.which("redis-server")
        if redis_binary is None:
            sys.exit("redis-server is not installed")
        redis_port = free_port()
        redis = subprocess.Popen(
            [redis_binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(work)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        time.sleep(0.3)
    server = server_log = None
    try:
        def manage(*command: str) -> None:
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)

        manage("migrate", "--noinput", "-v0")
        manage("collectstatic", "--noinput", "-v0")
        manage("seed_demo", "--products", "20")

        def sql(query: str):
            import sqlite3

            with sqlite3.connect(work / "db.sqlite3", timeout=20) as db:
                return db.execute(query).fetchone()[0]

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server_log = open(work / "granian.log", "wb")  # noqa: SIM115 - closed in finally
        server = subprocess.Popen(
            [str(Path(PYTHON).with_name("granian")), "--interface", "wsgi", "--host",
             "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
             "--blocking-threads", "2", "--no-ws", "--log-level", "warning",
             "config.wsgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=server_log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        results: dict = {"workers": args.workers, "redis": bool(redis),
                         "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                                  cwd=ROOT, capture_output=True,
                                                  text=True).stdout.strip()}
        measure(base, sql, results)
        measure_guest(base, sql, results)
        if redis is not None:
            measure_redis_outage(base, redis, sql, results)
        for key, value in results.items():
            print(f"{key}: {value}")
        print(json.dumps(results))
        return 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        if server_log is not None:
            server_log.close()
        if redis is not None and redis.poll() is None:
            redis.terminate()
            redis.wait(timeout=10)
        (None if os.environ.get("KEEP") else shutil.rmtree(work, ignore_errors=True))


if __name__ == "__main__":
    sys.exit(main())
