"""The one way tests talk to the API and the dashboard through Django's test client: JSON
calls as an API client makes them, bearer headers, signed-in browsers."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from shop.accounts.models import User
from shop.accounts.tokens import access_token_issue


def api_call(client: Client, method: str, path: str, body: Any = None, *,
             token: str | None = None, clear_cookies: bool = False, **extra: Any):
    """`method path` with `body` as JSON (none when None) and, when given, the bearer `token`.
    clear_cookies: forget what earlier answers set, as an API client keeps no cookies.
    `extra` are WSGI environ entries (REMOTE_ADDR, HTTP_IDEMPOTENCY_KEY...)."""
    if clear_cookies:
        client.cookies.clear()
    if token is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    data = json.dumps(body) if body is not None else ""
    return client.generic(method.upper(), path, data, content_type="application/json", **extra)


def api_headers(user: User | None) -> dict:
    """The bearer header of a fresh access token for `user` (none for an anonymous caller)."""
    return {} if user is None else {"HTTP_AUTHORIZATION": f"Bearer {access_token_issue(user=user)}"}


def api_client(user: User) -> Client:
    """A test client that speaks to the API as `user`, by bearer token."""
    return Client(**api_headers(user))


def web_client(user: User | None) -> Client:
    """A browser on the storefront or the dashboard, signed in as `user` (or anonymous)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
