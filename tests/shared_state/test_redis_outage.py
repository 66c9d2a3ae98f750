"""Redis is a cache, the database is the truth (issue 11): the shop behind granian (two
workers) with a Redis of the test's own, which the test kills mid-run and starts again.

While Redis is down: signed-in shoppers stay signed in, ended sessions and revoked tokens stay
refused, sign-in works and stays throttled, the catalog is served, nothing answers 5xx, a valid
token is not recorded as forged, /healthz says "degraded" and names Redis, and the change is
logged once. When Redis is back, /healthz says "ok" again without a restart.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time

import httpx
import pytest

from shop.core.models import DependencyState
from shop.monitoring.models import SecurityEvent
from tests.conftest import require
from tests.factories import build_small_catalog, create_user
from tests.support.appserver import AppServer, granian_binary
from tests.support.visitor import Visitor, api_call, eventually
from tooling.stack import free_port

PASSWORD = "correct horse battery staple"


class RedisServer:
    """redis-server on a free loopback port, no persistence: killed, it comes back empty."""

    def __init__(self, workdir) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socketish(self.port):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def socketish(port: int):
    import socket

    return socket.create_connection(("127.0.0.1", port), timeout=0.5)


@pytest.fixture(scope="module")
def redis_and_app(django_db_setup, django_db_blocker, tmp_path_factory):
    require(shutil.which("redis-server") is not None, "redis-server")
    require(granian_binary() is not None, "granian")
    workdir = tmp_path_factory.mktemp("redis-outage")
    redis = RedisServer(workdir).start()
    app = AppServer(workdir / "app", workers=2, threads=2, extra_env={
        "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "TRUSTED_PROXY": "127.0.0.1",
    })
    with django_db_blocker.unblock():
        app.start()
    try:
        yield redis, app
    finally:
        app.stop()
        redis.stop()


def health(base_url: str) -> dict:
    response = api_call(base_url, "GET", "/healthz")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_redis_outage_signs_no_one_out_and_nothing_answers_500(redis_and_app,
                                                                  transactional_db):
    redis, app = redis_and_app
    base = app.url
    build_small_catalog()
    create_user("alice@example.com", PASSWORD, name="Alice")
    create_user("bob@example.com", PASSWORD, name="Bob")
    assert health(base) == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}

    # Written before the outage: a signed-in browser, a live token, an ended session and a
    # logged-out token.
    alice = Visitor(base)
    alice.sign_in("alice@example.com", PASSWORD)
    token = api_call(base, "POST", "/api/v1/auth/token",
                     json={"email": "alice@example.com", "password": PASSWORD}).json()["access"]
    gone = Visitor(base)
    gone.sign_in("bob@example.com", PASSWORD)
    gone_cookies = dict(gone.cookies)
    assert gone.post_form("/account/sign-out/", form_page="/account/").status_code == 200
    revoked = api_call(base, "POST", "/api/v1/auth/token",
                       json={"email": "bob@example.com", "password": PASSWORD}).json()
    assert api_call(base, "POST", "/api/v1/auth/logout", token=revoked["access"],
                    json={"refresh": revoked["refresh"]}).status_code == 204
    events_before = SecurityEvent.objects.filter(kind="token_invalid").count()

    redis.kill()
    statuses: list[tuple[str, int]] = []

    def note(what: str, response: httpx.Response) -> httpx.Response:
        statuses.append((what, response.status_code))
        return response

    for _ in range(8):
        note("catalog", alice.get("/products/"))
        note("account", alice.get("/account/"))
        for path in ("/api/v1/me", "/api/v1/orders", "/api/v1/cart"):
            note(path, api_call(base, "GET", path, token=token))
        replay = Visitor(base)
        replay.cookies = dict(gone_cookies)
        note("ended session", replay.get("/account/"))
        note("revoked token", api_call(base, "GET", "/api/v1/me", token=revoked["access"]))
        note("sign-in", api_call(base, "POST", "/api/v1/auth/token", json={
            "email": "alice@example.com", "password": PASSWORD}))
    expected = {"catalog": 200, "account": 200, "/api/v1/me": 200, "/api/v1/orders": 200,
                "/api/v1/cart": 200, "ended session": 302, "revoked token": 401,
                "sign-in": 200}
    wrong = [(what, status) for what, status in statuses if status != expected[what]]
    assert wrong == [], wrong

    # Sign-in stays throttled: guesses for one account from many addresses hit its cap.
    guesses = [
        api_call(base, "POST", "/api/v1/auth/token", headers={"X-Forwarded-For": f"192.0.2.{n}"},
                 json={"email": "bob@example.com", "password": f"guess {n}"}).status_code
        for n in range(1, 14)
    ]
    assert set(guesses) <= {401, 429}, guesses
    assert guesses[-1] == 429, guesses

    # The valid token was never taken for a forged one; only the revoked token was refused.
    reasons = set(SecurityEvent.objects.filter(kind="token_invalid").values_list(
        "details__reason", flat=True))
    assert SecurityEvent.objects.filter(kind="token_invalid").count() > events_before
    assert reasons == {"revoked"}, reasons

    # The health check names what is missing; the change is recorded once for all workers.
    report = health(base)
    assert report == {"status": "degraded", "checks": {"database": "ok", "redis": "unreachable"}}
    state = DependencyState.objects.get(name="redis")
    assert state.up is False
    down_lines = re.findall(r'"message": ?"redis is unreachable"', app.logs(tail=5000))
    assert len(down_lines) == 1, app.logs(tail=50)

    # Back without a restart; what was ended before the outage stays ended.
    redis.start()
    assert eventually(lambda: health(base)["status"] == "ok"), health(base)
    assert DependencyState.objects.get(name="redis").up is True
    assert len(re.findall(r'"message": ?"redis is reachable again"', app.logs(tail=5000))) == 1
    assert alice.get("/account/").status_code == 200
    replay = Visitor(base)
    replay.cookies = dict(gone_cookies)
    assert replay.get("/account/").status_code == 302
    assert api_call(base, "GET", "/api/v1/me", token=revoked["access"]).status_code == 401
    metrics = api_call(base, "GET", "/metrics").text
    assert 'shop_dependency_up{dependency="redis"} 1.0' in metrics
