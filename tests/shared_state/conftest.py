"""One real app server per module: granian with two worker processes against the test
database (tests/support/appserver.py), as `make run` serves the shop. Every request of these
tests goes out on a fresh connection (tests/support/visitor.py), so one shopper's requests
spread over both workers: state kept in one process's memory shows up as a wrong answer.

The server is started once per module and stopped at its end; tests that use it write their
data with `transactional_db` (committed, so the workers see it)."""

from __future__ import annotations

import pytest

from tests.conftest import require
from tests.support.appserver import AppServer, granian_binary

WORKERS = 2


@pytest.fixture(scope="module")
def app_server(django_db_setup, django_db_blocker, tmp_path_factory):
    require(granian_binary() is not None, "granian")
    # Behind a trusted proxy on 127.0.0.1 (as behind nginx): a test says which address each
    # request comes from with X-Forwarded-For.
    server = AppServer(tmp_path_factory.mktemp("workers"), workers=WORKERS, threads=2,
                       extra_env={"TRUSTED_PROXY": "127.0.0.1"})
    with django_db_blocker.unblock():
        server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def base_url(app_server, transactional_db, shipping_methods) -> str:
    """The app server's address, for a test whose data is committed (and that may check out:
    the shipping methods are there)."""
    return app_server.url
