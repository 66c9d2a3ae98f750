"""Fixtures of the security tests: the production app server (granian) against the test
database, behind the hostile nginx caches of tests/support/nginx.py."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import require
from tests.support.appserver import AppServer, granian_binary
from tests.support.nginx import NginxCache
from tooling.stack import nginx_binary


@dataclass
class Stack:
    app: AppServer
    keyed: NginxCache  # URL-keyed, ignores Vary and Set-Cookie, honours the app's headers
    static: NginxCache  # the same, plus a CDN rule: every .css/.js/.png cached for 10 minutes

    @property
    def caches(self) -> list[NginxCache]:
        return [self.keyed, self.static]

    def logs(self) -> str:
        return "\n".join([f"--- granian\n{self.app.logs()}",
                          *(cache.logs()[-20_000:] for cache in self.caches)])


@pytest.fixture
def app_stack(transactional_db, tmp_path_factory):
    """`start(target=...)`: granian (2 workers x 2 threads, like production on this machine)
    serving `target` against the test database, with both hostile caches in front. Everything
    is stopped before the test's database is flushed."""
    require(nginx_binary() is not None, "nginx")
    require(granian_binary() is not None, "granian")
    running: list = []

    def start(*, target: str = "config.wsgi:application", workers: int = 2) -> Stack:
        workdir = tmp_path_factory.mktemp("stack")
        app = AppServer(workdir / "app", target=target, workers=workers)
        running.append(app)
        app.start()
        keyed = NginxCache(app.url, workdir / "nginx-keyed")
        running.append(keyed)
        static = NginxCache(app.url, workdir / "nginx-static", static_rule=True)
        running.append(static)
        return Stack(app, keyed.start(), static.start())

    yield start
    for process in reversed(running):
        process.stop()


@pytest.fixture
def world(db):
    """Three shoppers, each with saved addresses, two placed orders, a cart and a checkout in
    progress, a support staff member and a stranger (tests/security/soak.py build_world)."""
    from . import soak

    return soak.build_world(shoppers=3)
