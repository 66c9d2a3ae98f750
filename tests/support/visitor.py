"""A browser-like visitor for tests against the real app server with several workers.

Every request goes out on a fresh TCP connection (`Connection: close`), so consecutive requests
of one visitor land on whichever granian worker accepts them, as a shopper's requests do behind
a load balancer. The visitor keeps its own cookies (the session, the CSRF cookie) and sends the
CSRF token of the last form it saw, like a browser posting a form.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx
from django.conf import settings

from .nginx import stateless_client

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Visitor:
    def __init__(self, base_url: str, *, ip_header: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.extra = dict(ip_header or {})

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {**self.extra, **(headers or {})}
        if self.cookies:
            merged["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return merged

    def _remember(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            pair = header.split(";", 1)[0]
            name, _, value = pair.partition("=")
            attributes = header.lower()
            if not value or value == '""' or "max-age=0" in attributes or "1970" in attributes:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        match = _CSRF_INPUT.search(response.text) if response.headers.get(
            "content-type", "").startswith("text/html") else None
        if match:
            self.csrf = match.group(1)
        return response

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                **kwargs) -> httpx.Response:
        with stateless_client(self.base_url, timeout=30.0) as http:
            response = http.request(method, path, headers=self._headers(headers), **kwargs)
        return self._remember(response)

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict | None = None, *, form_page: str | None = None,
                  **kwargs) -> httpx.Response:
        """POST a form as a browser does: the CSRF token of `form_page` (GET first when given)
        or of the last page seen, and a same-origin Referer-less request."""
        if form_page is not None:
            self.get(form_page)
        # The CSRF cookie holds the secret itself, which Django accepts as the form's token.
        body = {**(data or {}), "csrfmiddlewaretoken": self.cookies.get(
            settings.CSRF_COOKIE_NAME, self.csrf)}
        return self.request("POST", path, data=body, headers={"Origin": self.base_url}, **kwargs)

    def sign_in(self, email: str, password: str) -> None:
        response = self.post_form(
            "/account/sign-in/", {"email": email, "password": password},
            form_page="/account/sign-in/",
        )
        assert response.status_code == 302, (response.status_code, response.text[:500])

    def signed_in(self) -> bool:
        """Whether the account page answers (signed in) or redirects to the sign-in page."""
        response = self.get("/account/")
        assert response.status_code in (200, 302), response.status_code
        return response.status_code == 200


def api_call(base_url: str, method: str, path: str, *, token: str | None = None,
             json: dict | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
    """One API request on a fresh connection, with no cookies."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    with stateless_client(base_url, timeout=30.0) as http:
        return http.request(method, path, json=json, headers=sent)


def count(times: int, check: Callable[[], bool]) -> int:
    """How many of `times` calls of `check` said True."""
    return sum(1 for _ in range(times) if check())


def eventually(check: Callable[[], bool], *, timeout: float = 10.0) -> bool:
    """Whether `check` comes true within `timeout` seconds (work a server does after the
    response has left, such as counting a missed lookup, lands a moment later)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
