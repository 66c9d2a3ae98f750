"""Fixtures of the schema fuzzer: the production app server (granian) on the test database."""

import pytest

from tests.conftest import require
from tests.support.appserver import AppServer, granian_binary


@pytest.fixture
def app_server(transactional_db, tmp_path_factory):
    """`start(target=...)`: granian serving the shop (or a test target) against the test
    database; stopped before the database is flushed at the end of the test."""
    require(granian_binary() is not None, "granian")
    started = []

    def start(*, target: str = "config.wsgi:application") -> AppServer:
        server = AppServer(tmp_path_factory.mktemp("app"), target=target)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
