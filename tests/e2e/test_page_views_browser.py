"""Page views from the cache (issue 16): Chromium through a URL-keyed nginx cache in front of
the production app server (granian), with static files and images served by nginx under
hashed, pre-compressed names, as deploy/nginx/shop.conf does. Requests are counted at the app
(its own access log), not in the browser.

- anonymous: home, a list, a product page: no request reaches the app once the cache is warm;
  the cart page (private) is its one request and nothing else;
- signed in: the first page after sign-in asks for the private sections once; then nothing
  private is asked while nothing changed; adding to the cart updates the header's count;
- after sign-out nothing private is left in the browser's storage or cookies, the header
  shows the signed-out state, and page views reach the app zero times again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.conftest import require
from tests.factories import PASSWORD, build_small_catalog, create_alice
from tests.support.appserver import ROOT, AppServer, granian_binary
from tests.support.nginx import NginxCache
from tooling.stack import nginx_binary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/products/", "/c/clothing/", "/products/organic-cotton-tee/"]
PRIVATE_KEY = "bfm:private"


class AppLog:
    """The app server's access log (one JSON line per request: shop.core.middleware)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def paths(self) -> list[str]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as log:
            log.seek(self.offset)
            lines = log.read().decode(errors="replace").splitlines()
        found = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("logger") == "shop.access":
                found.append(record["path"])
        return found


@pytest.fixture
def front(tmp_path_factory, browser):
    """collectstatic (hashed names, .gz beside each) -> granian -> nginx cache + files."""
    require(nginx_binary() is not None, "nginx")
    require(granian_binary() is not None, "granian")
    cache.clear()
    work = tmp_path_factory.mktemp("pageviews")
    static_root = work / "static"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SHOP_TEST_STATIC_ROOT": str(static_root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True, timeout=180,
    )
    log = work / "app.log"
    app = AppServer(work / "granian", extra_env={
        "SHOP_TEST_STATIC_ROOT": str(static_root), "LOG_LEVEL": "INFO", "LOG_FILE": str(log),
    }).start()
    nginx = NginxCache(app.url, work / "nginx", static_root=static_root,
                       media_root=Path(settings.MEDIA_ROOT))
    try:
        nginx.start()
        yield nginx, AppLog(log)
    finally:
        nginx.stop()
        app.stop()


def new_page(browser, url):
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def visit(page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")


def private_storage(page) -> dict:
    return page.evaluate(
        """(key) => ({stored: sessionStorage.getItem(key), local: localStorage.length,
                      cookies: document.cookie})""",
        PRIVATE_KEY,
    )


def test_anonymous_page_views_never_reach_the_app_once_cached(front, browser):
    nginx, app_log = front
    build_small_catalog()
    warm, page, _ = new_page(browser, nginx.url)
    for path in PAGES:
        visit(page, path)
    warm.close()

    context, page, errors = new_page(browser, nginx.url)  # another visitor, empty browser cache
    try:
        app_log.mark()
        for path in PAGES:
            visit(page, path)
            assert page.locator(".account-nav a", has_text="Sign in").is_visible()
            assert page.locator(".cart-link").get_attribute("href") == "/cart/"
        assert app_log.paths() == [], "anonymous page views reached the app"
        stylesheet = page.evaluate("document.querySelector('link[rel=stylesheet]').href")
        assert "/static/shop/shop." in stylesheet
        assert stylesheet.endswith(".css")
        assert stylesheet != f"{nginx.url}/static/shop/shop.css"  # a hashed name
        asset = nginx.get(stylesheet.removeprefix(nginx.url), headers={"Accept-Encoding": "gzip"})
        assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert asset.headers.get("Content-Encoding") == "gzip"  # compressed once, at deploy

        app_log.mark()
        visit(page, "/cart/")
        assert app_log.paths() == ["/cart/"], "the cart page is one request and nothing else"
        assert private_storage(page)["stored"] is None
        assert errors == []
    finally:
        context.close()


def test_signed_in_page_views_ask_only_when_something_changed(front, browser):
    nginx, app_log = front
    build_small_catalog()
    create_alice()
    warm, page, _ = new_page(browser, nginx.url)
    for path in PAGES:
        visit(page, path)
    warm.close()

    context, page, errors = new_page(browser, nginx.url)
    try:
        visit(page, "/account/sign-in/")
        page.fill("input[name=email]", "alice@example.com")
        page.fill("input[name=password]", PASSWORD)
        app_log.mark()
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        greeting = page.locator(".account-nav .greeting")
        greeting.wait_for()
        assert "Alice" in greeting.inner_text()
        assert "/fragments/private" in app_log.paths()  # the first page after sign-in asks

        app_log.mark()
        for path in PAGES:
            visit(page, path)
            assert page.locator(".account-nav .greeting").is_visible()
            assert not page.locator(".account-nav a", has_text="Sign in").is_visible()
        assert app_log.paths() == [], "nothing changed, yet the app was asked"

        # add to cart on the cached product page: the token is fetched on submit, the
        # header's count follows
        page.locator(".atc-form select").select_option("2")
        page.click(".atc-form button[type=submit]")
        page.locator(".atc-status.atc-ok").wait_for()
        page.locator(".cart-link .cart-count", has_text="2").wait_for()
        app_log.mark()
        visit(page, "/products/")
        assert page.locator(".cart-link .cart-count").inner_text() == "2"
        assert app_log.paths() == []

        # sign out: nothing private left, the header signed out, no request per page view
        page.click(".header-signout button")  # fetches its token, then posts
        page.get_by_role("heading", name="You are signed out").wait_for()
        visit(page, "/")
        left = private_storage(page)
        assert left["stored"] is None
        assert left["local"] == 0
        assert settings.SHOP_PRIVATE_VERSION_COOKIE not in left["cookies"]
        assert page.locator(".account-nav a", has_text="Sign in").is_visible()
        assert not page.locator(".account-nav .greeting").is_visible()
        assert not page.locator(".cart-link .cart-count").is_visible()
        app_log.mark()
        for path in PAGES:
            visit(page, path)
        assert app_log.paths() == []
        assert errors == []
    finally:
        context.close()
