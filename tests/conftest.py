"""Shared fixtures. Services the suite may need (PostgreSQL, Redis, nginx, Chromium) are used
when present; with CI=true or REQUIRE_ALL=1 a missing one fails the test instead of skipping."""

import os
import shutil
from pathlib import Path

import pytest

# Shared fixtures, for every test: the shoppers (tests/fixtures/shoppers.py) and the staff
# (tests/fixtures/staff.py). A directory that wants one of them for each of its tests says so in
# its own conftest.py (an autouse fixture that asks for it).
pytest_plugins = ["tests.fixtures.shoppers", "tests.fixtures.staff"]

REQUIRE_ALL = os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_ALL") == "1"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts"))


def require(available: bool, what: str) -> None:
    """Skip (or fail, in CI) a test whose service or tool is missing."""
    if available:
        return
    message = f"{what} is not available"
    if REQUIRE_ALL:
        pytest.fail(message + " (CI=true/REQUIRE_ALL=1: missing services fail)")
    pytest.skip(message)


def find_binary(name: str, *candidates: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    return next((c for c in candidates if Path(c).exists()), None)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def catalog(db):
    """A small, known catalog: two top categories, a subcategory, products with variants."""
    from tests.factories import build_small_catalog

    return build_small_catalog()


# --- Real HTTP: the live server, a hostile nginx cache in front of it, the app's own logs.


@pytest.fixture
def live_http(live_server):
    """An httpx client on the live server (real socket, real stack) that keeps no cookies."""
    from tests.support.http import wait_for_live_server_requests
    from tests.support.nginx import stateless_client

    with stateless_client(live_server.url) as client:
        yield client
    wait_for_live_server_requests()


@pytest.fixture
def nginx_cache_factory(live_server, tmp_path_factory):
    """Starts a URL-keyed nginx proxy_cache in front of the live server (tests/support/nginx.py);
    `start(static_rule=True)` adds the CDN "cache every .css/.js/.png" rule. Each one gets a
    fresh, empty cache and is stopped at the end of the test."""
    from tests.support.nginx import NginxCache
    from tooling.stack import nginx_binary

    require(nginx_binary() is not None, "nginx")
    started = []

    def start(*, static_rule: bool = False):
        workdir = tmp_path_factory.mktemp("nginx")
        cache = NginxCache(live_server.url, workdir, static_rule=static_rule)
        started.append(cache)
        return cache.start()

    yield start
    for cache in started:
        cache.stop()
    from tests.support.http import wait_for_live_server_requests

    wait_for_live_server_requests()


@pytest.fixture
def nginx_cache(request, nginx_cache_factory):
    """One nginx cache in front of the live server. Parametrize indirectly with
    `{"static_rule": True}` for the CDN static-suffix rule."""
    return nginx_cache_factory(**getattr(request, "param", {}))


@pytest.fixture
def app_log():
    """Every log record the app writes during the test, stamped by RequestContextFilter like
    the real handlers (request_id, route, user_id): see tests/support/logs.py."""
    import logging

    from tests.support.logs import RecordingHandler

    handler = RecordingHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty server-side cache: throttle counters, token deny-lists
    and alert counters must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
