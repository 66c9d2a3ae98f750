"""Browser fixtures: Playwright (sync API) driving Debian's Chromium against the live server.

Never run `playwright install`: the browser is /usr/bin/chromium. One browser per session,
a fresh context (no cookies, no cache) and page per test. Each page records console errors,
page errors and every request to a host other than the live server, so a test can assert
that the shop works offline from its own origin (no CDN, no tracker, no external font).
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ARTIFACTS, require

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _restore_migration_data(django_db_serialized_rollback):
    """Every test here uses live_server, so its database is emptied (flushed) afterwards,
    including the rows that migrations create (the shipping methods). Serialized rollback
    puts those rows back before each test, so tests do not depend on their order."""


@pytest.fixture(scope="session")
def browser(live_server) -> Iterator:
    """The live server (and so the test database) comes first and goes last: Playwright's sync
    API keeps an event loop running in this thread while the browser is open, and Django
    refuses ORM calls from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is
    set. The tests' own set-up and the database flush between tests are synchronous code, so
    the flag is set for exactly as long as the browser lives."""
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        require(False, "Playwright for Python")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageWatch:
    """What a page did that a shopper would not want: errors and requests to other hosts."""

    allowed_hosts: frozenset[str]
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def on_request(self, request) -> None:
        self.requests.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.hostname not in self.allowed_hosts:
            self.foreign_requests.append(request.url)

    def on_request_failed(self, request) -> None:
        # A fragment still loading when the shopper clicks on is cancelled by the navigation.
        if request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.url} {request.failure}")

    def on_console(self, message) -> None:
        if message.type == "error":
            where = message.location or {}
            self.console_errors.append(
                f"{message.text} ({where.get('url', '?')}:{where.get('lineNumber', '?')})"
            )

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], f"requests left 127.0.0.1: {self.foreign_requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.failed_requests == [], f"failed requests: {self.failed_requests}"


@pytest.fixture
def browser_context(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page_watch(live_server) -> PageWatch:
    # The live server listens on 127.0.0.1; pytest-django names it "localhost".
    host = urlsplit(live_server.url).hostname
    return PageWatch(allowed_hosts=frozenset({host, "127.0.0.1", "localhost"}))


@pytest.fixture
def page(browser_context, page_watch):
    page = browser_context.new_page()
    page.on("request", page_watch.on_request)
    page.on("console", page_watch.on_console)
    page.on("pageerror", lambda error: page_watch.console_errors.append(str(error)))
    page.on("requestfailed", page_watch.on_request_failed)
    page.on(
        "response",
        lambda response: (
            response.status >= 500
            and page_watch.failed_requests.append(f"{response.url} {response.status}")
        ),
    )
    yield page
    page.close()


@pytest.fixture
def screenshot(page, artifacts_dir):
    """screenshot("name") saves full-page PNGs at desktop (1280) and mobile (390) widths."""
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, mobile: bool = True) -> list[Path]:
        paths = []
        sizes = [("desktop", DESKTOP), ("mobile", MOBILE)] if mobile else [("desktop", DESKTOP)]
        original = page.viewport_size
        for label, size in sizes:
            page.set_viewport_size(size)
            page.evaluate("window.scrollTo(0, 0)")  # sticky header: capture from the top
            page.wait_for_timeout(50)
            path = folder / f"{name}-{label}.png"
            # caret="initial": hiding the caret leaves style="" on inputs, which htmx then
            # re-applies on swap and the CSP (style-src 'self') rightly blocks.
            page.screenshot(path=str(path), full_page=True, caret="initial")
            paths.append(path)
        page.set_viewport_size(original)
        return paths

    return take


def screenshots_folder() -> Path:
    """Where the screenshots shown in docs/ are written: docs/screenshots/ only when
    UPDATE_DOCS_SCREENSHOTS=1 (a person refreshing them, who then looks and commits); otherwise
    the test artifacts, so that running the suite never changes a tracked file."""
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    return ARTIFACTS / "screenshots"
