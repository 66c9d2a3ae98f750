"""The production app server (granian, WSGI, several worker processes) against the test
database, for the tests that need real concurrency: the cross-user soak and the schema fuzzer.

pytest-django's live server is one threaded WSGI server inside the test process: it shares the
GIL with the test's own client threads, so under a soak of thousands of requests the client and
the server slow each other down, and a request cancelled by the client cannot be told apart from
one the test thread is still busy with. granian runs the app exactly as `make run` and
`deploy/granian.sh` do, in separate processes.

It reads the same settings (config.settings.test) and is pointed at the database pytest-django
created for the test (its name comes from the live connection's settings, so SQLite files,
PostgreSQL `test_<name>` databases and xdist suffixes all work), and at the same Redis when
REDIS_URL is set. The data must be committed for it to see anything: use it from tests marked
`django_db(transaction=True)`, and stop it before the test ends (the fixtures do), so that no
worker holds a connection while pytest-django flushes or drops the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from django.conf import settings

from .nginx import free_port

ROOT = Path(__file__).resolve().parents[2]


def granian_binary() -> str | None:
    candidate = Path(sys.executable).with_name("granian")
    return str(candidate) if candidate.exists() else None


def database_env() -> dict[str, str]:
    """Environment variables that point the settings at the test database now in use."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return {"SQLITE_PATH": str(db["NAME"]), "DATABASE_URL": ""}
    if "postgresql" not in db["ENGINE"]:
        raise RuntimeError(f"no app-server support for {db['ENGINE']}")
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return {"DATABASE_URL": f"postgres://{credentials}@{host}:{port}/{db['NAME']}"}


class AppServer:
    """granian serving `target` (config.wsgi:application by default) on a free port."""

    def __init__(
        self,
        logdir: Path,
        *,
        target: str = "config.wsgi:application",
        workers: int = 2,
        threads: int = 2,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        binary = granian_binary()
        if binary is None:
            raise RuntimeError("granian is not installed in this virtualenv")
        self.binary = binary
        self.target = target
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logdir = Path(logdir)
        self.log_path = self.logdir / "granian.log"
        self.extra_env = extra_env or {}
        self._process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            LOG_LEVEL=env.get("SOAK_LOG_LEVEL", "WARNING"),
        )
        env.update(database_env())
        # the cache of this test process (its pytest-xdist worker's own: config/settings/test.py)
        env["SHOP_TEST_CACHE_NAMESPACE"] = getattr(settings, "SHOP_TEST_CACHE_NAMESPACE", "")
        env.update(self.extra_env)
        return env

    def start(self, *, timeout: float = 60.0) -> AppServer:
        self.logdir.mkdir(parents=True, exist_ok=True)
        command = [
            self.binary, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers), "--blocking-threads", str(self.threads),
            "--no-ws", "--log-level", "warning", self.target,
        ]
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                command, cwd=ROOT, env=self.environment(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        ready = 0
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise RuntimeError(f"granian exited at start-up:\n{self.logs()}")
                try:
                    # every worker must be up: ask a few times in a row
                    ready = ready + 1 if client.get(self.url + "/healthz").status_code == 200 else 0
                except httpx.HTTPError:
                    ready = 0
                if ready >= 2 * self.workers:
                    return self
                time.sleep(0.05 if ready else 0.2)
        self.stop()
        raise RuntimeError(f"granian did not answer on {self.url} within {timeout}s\n{self.logs()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        # granian's own process group (start_new_session): its master and its workers
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def logs(self, tail: int = 200) -> str:
        if not self.log_path.exists():
            return ""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-tail:])

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
