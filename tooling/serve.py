"""`make serve`: the production stack on this machine, in the foreground; Ctrl-C stops it.

nginx (deploy/nginx, rendered into var/serve/) on PORT (8080) in front of granian
(deploy/granian.sh) on APP_PORT (8000), with production settings, PostgreSQL (database
`buy_from_me`) and Redis (db 1) when they answer on 127.0.0.1, else SQLite (var/db.sqlite3)
and the shared file cache. DATABASE_URL and REDIS_URL, when set, are used as they are.

Production settings need a secret key and allowed hosts: this script uses var/secret_key
(made once, like `make run`) and 127.0.0.1/localhost, and turns the HTTPS redirect off because
locally nginx speaks plain HTTP. SERVE_SETTINGS=config.settings.local runs the local settings
instead.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time

from tooling.stack import (
    ROOT,
    Backends,
    Stack,
    cpu_count,
    detect_backends,
    manage,
    port_in_use,
    stop_on_signals,
)

VAR = ROOT / "var"


def secret_key() -> str:
    path = VAR / "secret_key"
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def environment(args: argparse.Namespace, backends: Backends, settings_module: str) -> dict:
    """The app's environment: production settings made runnable on this machine."""
    hosts = {args.host, "127.0.0.1", "localhost"}
    origin_hosts = sorted(hosts)
    return {
        **os.environ,
        **backends.env(),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secret_key(),
        "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS") or ",".join(sorted(hosts)),
        "CSRF_TRUSTED_ORIGINS": os.environ.get("CSRF_TRUSTED_ORIGINS")
        or ",".join(f"http://{h}:{args.port}" for h in origin_hosts),
        # Locally nginx speaks plain HTTP; production keeps the redirect and HSTS.
        "SECURE_SSL_REDIRECT": os.environ.get("SECURE_SSL_REDIRECT", "0"),
        "SECURE_HSTS_SECONDS": os.environ.get("SECURE_HSTS_SECONDS", "0"),
        # A local stack takes no real money: the built-in test gateway is allowed here.
        "SHOP_ALLOW_TEST_GATEWAY": os.environ.get("SHOP_ALLOW_TEST_GATEWAY", "1"),
        "PYTHONPATH": str(ROOT),
    }


def prepare(env: dict, *, seed: bool) -> bool:
    """Migrate, collect static files and load the demo data; False when a step failed."""
    try:
        manage("migrate", "--noinput", "-v0", env=env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        if seed:
            manage("seed_demo", env=env)
    except subprocess.CalledProcessError as error:
        print(f"serve: `manage.py {' '.join(error.cmd[2:])}` failed (see above)", file=sys.stderr)
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("APP_PORT", "8000")))
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("WORKERS") or cpu_count()))
    parser.add_argument("--blocking-threads", type=int,
                        default=int(os.environ.get("BLOCKING_THREADS", "2")))
    parser.add_argument("--no-seed", action="store_true", help="skip loading the demo data")
    args = parser.parse_args()

    for port in (args.port, args.app_port):
        if port_in_use(args.host, port):
            print(f"serve: port {port} on {args.host} is already in use; stop that server or "
                  "set PORT=/APP_PORT=", file=sys.stderr)
            return 1

    backends = detect_backends(database="buy_from_me", sqlite_path=VAR / "db.sqlite3", redis_db=1)
    settings_module = os.environ.get("SERVE_SETTINGS") or "config.settings.production"
    env = environment(args, backends, settings_module)
    print(f"serve: {backends.describe()}")
    if not backends.postgres:
        print("serve: PostgreSQL is not reachable on 127.0.0.1:5432: using SQLite")
    if not backends.redis_url:
        print("serve: Redis is not reachable on 127.0.0.1:6379: using the shared file cache")
    if not prepare(env, seed=not args.no_seed):
        return 1

    stop_on_signals()
    parent = os.getppid()
    stack = Stack(
        env=env,
        # One directory per nginx port, so that two stacks never share a cache or a pid file.
        workdir=VAR / ("serve" if args.port == 8080 else f"serve-{args.port}"),
        host=args.host,
        port=args.port,
        app_port=args.app_port,
        workers=args.workers,
        blocking_threads=args.blocking_threads,
    )
    try:
        stack.start()
        # the outbox worker (order e-mails), stopped with the rest
        stack._spawn("worker", [sys.executable, "manage.py", "db_worker", "--no-reload",
                                "--queue-name", "*"], env)
        print(
            f"serve: Buy_From_Me at {stack.url}/ (nginx, cache, static files) -> granian at "
            f"{stack.app_url} ({args.workers} workers x {args.blocking_threads} threads, "
            f"{settings_module}). Logs: {stack.workdir}/. Ctrl-C stops everything.",
            flush=True,
        )
        while all(process.alive() for process in stack.processes):
            if os.getppid() != parent:  # whoever started us (make, a terminal) is gone
                print("serve: parent process gone, stopping", flush=True)
                return 0
            time.sleep(0.5)
        dead = next(process for process in stack.processes if not process.alive())
        print(f"serve: {dead.name} stopped unexpectedly:\n{dead.tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nserve: stopping", flush=True)
        return 0
    except RuntimeError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
