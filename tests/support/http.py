"""Assertions on the caching and error contracts (docs/contract.md §4, §5), and ways to be someone.

They work on httpx responses from real HTTP (live server or nginx), never on Django's test
client, so that what is checked is what a browser or a shared cache receives.
"""

from __future__ import annotations

import re

import httpx
from django.conf import settings

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")

# Text that must never appear in an error a client receives (docs/threats.md case 20). Matched
# case-sensitively: "Select a valid choice" is a fine message, "SELECT" is SQL.
INTERNALS = (
    "Traceback",
    'File "',
    "SELECT ",
    " FROM ",
    "sqlite",
    "psycopg",
    "catalog_product",
    "/work/",
    "site-packages",
    "settings",
    "OperationalError",
    "ProgrammingError",
)


def cache_control(response: httpx.Response) -> dict[str, str | None]:
    """The Cache-Control directives, lower-cased: {"public": None, "max-age": "60"}."""
    directives: dict[str, str | None] = {}
    for header in response.headers.get_list("cache-control"):
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            if name:
                directives[name.lower()] = value or None
    return directives


def describe(response: httpx.Response) -> str:
    return (
        f"{response.request.method} {response.request.url.raw_path.decode()} -> "
        f"{response.status_code}, Cache-Control: {response.headers.get('cache-control')!r}"
    )


def assert_public(response: httpx.Response) -> None:
    """A 200 that any shared cache may keep: public with ages, a validator, no cookie."""
    assert response.status_code == 200, describe(response)
    header = response.headers.get("cache-control", "")
    assert header.startswith("public"), describe(response)
    directives = cache_control(response)
    assert int(directives.get("max-age") or 0) > 0, describe(response)
    assert int(directives.get("s-maxage") or 0) > 0, describe(response)
    assert "private" not in directives, describe(response)
    assert "no-store" not in directives, describe(response)
    assert response.headers.get("etag"), f"{describe(response)}: no ETag"
    assert "set-cookie" not in response.headers, (
        f"{describe(response)} sets a cookie: {response.headers.get_list('set-cookie')}"
    )


def assert_not_shareable(response: httpx.Response) -> None:
    """`private, no-store`, and nothing that lets a shared cache keep it (docs/threats.md case
    1)."""
    directives = cache_control(response)
    assert "private" in directives, describe(response)
    assert "no-store" in directives, describe(response)
    for forbidden in ("public", "s-maxage", "must-revalidate", "max-age"):
        assert forbidden not in directives, describe(response)
    assert "etag" not in response.headers, f"{describe(response)} has an ETag"


def assert_no_internals(text: str, *, where: str = "response") -> None:
    found = [marker for marker in INTERNALS if marker in text]
    assert not found, f"{where} leaks internals {found}:\n{text[:2000]}"


def assert_api_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The docs/contract.md §4 error shape with the response's own request id, and no-store."""
    assert response.status_code == status, f"{describe(response)}\n{response.text[:500]}"
    assert response.headers.get("content-type", "").startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "request_id"}, body
    assert isinstance(error["message"], str), body
    assert error["message"], body
    if code is not None:
        assert error["code"] == code, body
    assert error["request_id"] == response.headers.get("x-request-id"), body
    assert REQUEST_ID.match(error["request_id"]), body
    assert_not_shareable(response)
    assert_no_internals(response.text)
    return error


def session_cookie_for(user) -> str:
    """A `Cookie` header value for a real, server-side session of `user` (signed in)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def sign_in_through(client: httpx.Client, *, email: str, password: str) -> str:
    """A real sign-in through the admin login form (staff users), over HTTP.

    Returns the `Cookie` header value that carries the new session.
    """
    login = client.get("/admin/login/")
    assert login.status_code == 200, describe(login)
    csrf_cookie = login.cookies.get(settings.CSRF_COOKIE_NAME)
    assert csrf_cookie, "the login form set no CSRF cookie"
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    assert match, "the login form has no CSRF token"
    response = client.post(
        "/admin/login/?next=/admin/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": match.group(1)},
        headers={
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={csrf_cookie}",
            "Referer": f"{client.base_url}admin/login/",
        },
    )
    assert response.status_code == 302, f"sign-in failed: {describe(response)}"
    session = response.cookies.get(settings.SESSION_COOKIE_NAME)
    assert session, "sign-in set no session cookie"
    return f"{settings.SESSION_COOKIE_NAME}={session}"


def wait_for_live_server_requests(timeout: float = 10.0) -> None:
    """Wait until pytest-django's live server has finished every request it started.

    The app does some work after a response's body has gone (probe events are recorded from
    the response's close(), so their cost never shows in the answer's timing): the client can
    already have its answer while the server thread still writes. A test that ends then would
    have the database flushed under that write (a deadlock between TRUNCATE and the insert on
    PostgreSQL). Request threads are socketserver's `process_request_thread`."""
    import threading
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [t for t in threading.enumerate()
                if t.is_alive() and "process_request_thread" in t.name]
        if not busy:
            return
        time.sleep(0.02)
