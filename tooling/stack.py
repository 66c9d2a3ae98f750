"""The production stack on one machine, for `make serve` and `make bench`.

granian (deploy/granian.sh) serves Django; nginx, configured from deploy/nginx/http.conf and
deploy/nginx/shop.conf (rendered into a work directory under var/), sits in front with the
shared cache and serves static files and product images itself. PostgreSQL and Redis are used
when they answer on 127.0.0.1 (checked like ../shared/tools/services.sh does), else SQLite and
the local-memory cache.

Every process is started in its own process group and stopped (TERM, then KILL) when the
stack stops, on Ctrl-C and on errors alike.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts connections on host:port (granian binds with SO_REUSEPORT:
    a stale server on the same port would silently share the traffic)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _quiet(command: list[str], timeout: float = 10) -> subprocess.CompletedProcess | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        return subprocess.run(  # noqa: S603 - fixed tools (pg_isready, redis-cli, psql, createdb)
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def postgres_ready() -> bool:
    result = _quiet(["pg_isready", "-h", PG_HOST, "-p", str(PG_PORT), "-q"])
    return result is not None and result.returncode == 0


def redis_ready() -> bool:
    result = _quiet(["redis-cli", "-h", REDIS_HOST, "-p", str(REDIS_PORT), "ping"])
    return result is not None and result.stdout.strip() == "PONG"


def ensure_postgres_database(name: str) -> str:
    """The URL of database `name` on the local PostgreSQL, created when missing."""
    exists = _quiet(
        ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"]  # noqa: S608 - our own name
    )
    if exists is None or exists.returncode != 0:
        raise RuntimeError(f"cannot query PostgreSQL: {exists.stderr if exists else 'no psql'}")
    if exists.stdout.strip() != "1":
        created = _quiet(["createdb", "-h", PG_HOST, "-p", str(PG_PORT), "-U", "postgres", name])
        if created is None or created.returncode != 0:
            raise RuntimeError(f"createdb {name} failed: {created.stderr if created else ''}")
    return f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"


@dataclass
class Backends:
    database_url: str  # "" means SQLite at sqlite_path
    redis_url: str  # "" means the local-memory cache
    sqlite_path: Path | None = None

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    def env(self) -> dict[str, str]:
        env = {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}
        if not self.database_url and self.sqlite_path is not None:
            env["SQLITE_PATH"] = str(self.sqlite_path)
        return env

    def describe(self) -> str:
        database = (
            f"PostgreSQL ({self.database_url.rsplit('@', 1)[-1]})"
            if self.postgres
            else (f"SQLite ({self.sqlite_path})" if not self.database_url else self.database_url)
        )
        cache = f"Redis ({self.redis_url.rsplit('@', 1)[-1]})" if self.redis_url else (
            "local-memory cache (per process: sessions fall back to the database)"
        )
        return f"database: {database}; cache: {cache}"


def detect_backends(*, database: str, sqlite_path: Path, redis_db: int) -> Backends:
    """DATABASE_URL / REDIS_URL from the environment win; else the local services when they
    answer (database `database`, Redis db number `redis_db`); else SQLite and local memory."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url and postgres_ready():
        database_url = ensure_postgres_database(database)
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url and redis_ready():
        redis_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}"
    return Backends(database_url, redis_url, None if database_url else sqlite_path)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return next((c for c in NGINX_CANDIDATES if Path(c).exists()), None)


MAIN_CONFIG = """\
# Generated by tooling/stack.py from deploy/nginx/http.conf and deploy/nginx/shop.conf.
# Do not edit: change those files instead.
{user}worker_processes {workers};
daemon off;
master_process on;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
worker_rlimit_nofile 65536;

events {{
    worker_connections 4096;
    multi_accept on;
}}

http {{
    {mime}
    default_type application/octet-stream;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

{http}

    server {{
        listen {host}:{port} default_server;
        server_name _;

{extra}
{shop}
    }}
}}
"""


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def render_nginx_config(
    workdir: Path,
    *,
    host: str,
    port: int,
    app_address: str,
    static_root: Path,
    media_root: Path,
    workers: int | str = "auto",
    extra_locations: str = "",
) -> Path:
    """Write workdir/nginx.conf: deploy/nginx's files with this machine's paths and ports."""
    workdir.mkdir(parents=True, exist_ok=True)
    for sub in ("cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / sub).mkdir(exist_ok=True)
    http = (DEPLOY / "nginx" / "http.conf").read_text()
    shop = (DEPLOY / "nginx" / "shop.conf").read_text()
    replacements = {
        "/var/cache/nginx/buy_from_me": str(workdir / "cache"),
        "server 127.0.0.1:8000 ": f"server {app_address} ",
        "/srv/buy_from_me/var/staticfiles/": f"{static_root}/",
        "/srv/buy_from_me/var/media/": f"{media_root}/",
        "/var/log/nginx/buy_from_me.access.log": str(workdir / "access.log"),
    }
    for old, new in replacements.items():
        if old in http:
            http = http.replace(old, new)
        elif old in shop:
            shop = shop.replace(old, new)
        else:
            raise RuntimeError(f"deploy/nginx no longer contains {old!r}: update tooling/stack.py")
    mime = Path("/etc/nginx/mime.types")
    config = MAIN_CONFIG.format(
        user="user root;\n" if os.geteuid() == 0 else "",
        workers=workers,
        dir=workdir,
        mime=f"include {mime};" if mime.exists() else (
            "types { text/html html; text/css css; application/javascript js; "
            "image/svg+xml svg; image/png png; image/jpeg jpg; image/webp webp; }"
        ),
        http=_indent(http, 4),
        host=host,
        port=port,
        extra=_indent(extra_locations, 8),
        shop=_indent(shop, 8),
    )
    path = workdir / "nginx.conf"
    path.write_text(config)
    return path


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of every live process in process group `pgid` (Linux /proc).
    Used to measure what a request costs the server itself, which other load on the machine
    changes far less than requests per second."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command: state ppid pgrp session ... utime(14th) stime(15th) of the line
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def postgres_cpu_seconds(database: str) -> float:
    """CPU seconds of the PostgreSQL backends serving `database` right now (their process
    title is "postgres: [cluster:] <user> <database> <client> <state>")."""
    total = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres: "):
                continue
            words = title.split()
            while words and words[0].endswith(":"):  # "postgres:", "15/main:"
                words.pop(0)
            if words[1:2] != [database]:  # user, database, client, state
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def cpu_seconds(self) -> float:
        return group_cpu_seconds(self.popen.pid) if self.alive() else 0.0

    def stop(self, timeout: float = 10) -> None:
        if not self.alive():
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Stack:
    """granian on app_port behind nginx on port, both on host."""

    env: dict[str, str]
    workdir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    app_port: int = 8000
    workers: int = field(default_factory=cpu_count)
    blocking_threads: int = 2
    nginx_workers: int | str = "auto"
    extra_locations: str = ""
    fresh_cache: bool = False  # empty nginx's cache at start (the benchmark starts cold)
    static_root: Path | None = None
    media_root: Path | None = None
    processes: list[Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app_url(self) -> str:
        return f"http://{self.host}:{self.app_port}"

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> Process:
        log = self.workdir / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own commands
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # our own process group: stop() kills all of it
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def start(self, *, timeout: float = 60) -> Stack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for port in (self.app_port, self.port):
            if port_in_use(self.host, port):
                raise RuntimeError(
                    f"port {port} on {self.host} is already in use: stop that server first "
                    "(granian shares ports with SO_REUSEPORT, so a stale one would take traffic)"
                )
        nginx = nginx_binary()
        if nginx is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        if self.fresh_cache:
            shutil.rmtree(self.workdir / "cache", ignore_errors=True)
        atexit.register(self.stop)
        app_env = {
            **self.env,
            "HOST": self.host,
            "PORT": str(self.app_port),
            "WORKERS": str(self.workers),
            "BLOCKING_THREADS": str(self.blocking_threads),
        }
        granian = self._spawn("granian", ["sh", str(DEPLOY / "granian.sh")], app_env)
        config = render_nginx_config(
            self.workdir,
            host=self.host,
            port=self.port,
            app_address=f"{self.host}:{self.app_port}",
            static_root=self.static_root or ROOT / "var" / "staticfiles",
            media_root=self.media_root or ROOT / "var" / "media",
            workers=self.nginx_workers,
            extra_locations=self.extra_locations,
        )
        check = subprocess.run(  # noqa: S603 - nginx with the config we wrote
            [nginx, "-t", "-q", "-p", str(self.workdir), "-c", str(config),
             "-e", str(self.workdir / "error.log")],
            capture_output=True, text=True, check=False,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused the generated config {config}:\n{check.stderr}")
        self._spawn(
            "nginx",
            [nginx, "-p", str(self.workdir), "-c", str(config), "-e",
             str(self.workdir / "error.log")],
            dict(os.environ),
        )
        deadline = time.monotonic() + timeout
        while True:
            for process in self.processes:
                if not process.alive():
                    raise RuntimeError(f"{process.name} exited at start-up:\n{process.tail()}")
            if self._healthy(self.app_url) and self._healthy(self.url):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the stack did not answer within {timeout}s:\n"
                                   f"{granian.tail()}")
            time.sleep(0.2)
        return self

    @staticmethod
    def _healthy(base: str) -> bool:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        # nginx first (it stops taking requests), then the app server.
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used so far by each process group (granian, nginx)."""
        return {process.name: process.cpu_seconds() for process in self.processes}

    def reopen_nginx_logs(self) -> None:
        """Flush nginx's buffered access log to disk (USR1 reopens and flushes it)."""
        pid_file = self.workdir / "nginx.pid"
        if pid_file.exists():
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGUSR1)
            time.sleep(0.5)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP behave like Ctrl-C: unwind, so that `finally` and `with` stop the
    processes."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def manage(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    """Run manage.py with env (the stack's settings) and our venv's Python."""
    python = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
    return subprocess.run(  # noqa: S603 - manage.py of this project
        [python, "manage.py", *args], cwd=ROOT, env=env, check=check
    )
