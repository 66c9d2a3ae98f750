"""Fixtures of the accounts tests. Throttle counters live in the cache, which outlives a test:
every test here starts with an empty cache, so that one test's attempts never throttle the next."""

import itertools

import pytest

from tests.factories import create_user
from tests.support.api import api_call

PASSWORD = "correct horse battery staple"
_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def _clean(empty_cache):
    return empty_cache


def fresh_ip() -> str:
    """A client address of its own, so that per-address limits of one check don't bite another."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@pytest.fixture
def ann(db):
    return create_user("ann@example.com", PASSWORD, name="Ann Example")


class Api:
    """JSON calls on the test client, as an API client makes them (no cookies kept)."""

    def __init__(self, client):
        self.client = client

    def call(self, method: str, path: str, body=None, *, token: str | None = None, **extra):
        extra.setdefault("REMOTE_ADDR", extra.pop("ip", "10.200.0.1"))
        return api_call(self.client, method, path, body, token=token, clear_cookies=True,
                        **extra)

    def post(self, path, body=None, **kwargs):
        return self.call("POST", path, body, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def sign_in(self, email="ann@example.com", password=PASSWORD, **kwargs) -> dict:
        response = self.post("/api/v1/auth/token", {"email": email, "password": password}, **kwargs)
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def api(client):
    return Api(client)
