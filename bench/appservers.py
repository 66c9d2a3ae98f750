"""Which app server: granian (WSGI) or gunicorn (gthread), on the same Django views.

    .venv/bin/pip install gunicorn          # for this comparison only; not a dependency
    .venv/bin/python -m bench.appservers    # needs `make bench` to have prepared the database

Each server in turn, alone on 127.0.0.1:8002 with CPU-count workers and the bench settings and
database, gets the same wrk load on the Django hello world and on the uncached product list.
Prints requests/s, p50/p99 and the server's CPU milliseconds per request (from /proc, which
other load on the machine disturbs far less than requests/s). Numbers go in docs/deploy.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import wrk
from bench.run import bench_env, databases
from tooling.stack import cpu_count, group_cpu_seconds, port_in_use

ROOT = Path(__file__).resolve().parent.parent

PORT = 8002
DURATION = int(os.environ.get("BENCH_DURATION") or 5)
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or 2)
WORKERS = cpu_count()
VENV = ROOT / ".venv" / "bin"

SERVERS = {
    "granian WSGI, 1 blocking thread": [
        str(VENV / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(PORT),
        "--workers", str(WORKERS), "--blocking-threads", "1", "--http", "1", "--no-ws",
        "--log-level", "warning", "config.wsgi:application",
    ],
    "granian WSGI, 2 blocking threads": [
        str(VENV / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(PORT),
        "--workers", str(WORKERS), "--blocking-threads", "2", "--http", "1", "--no-ws",
        "--log-level", "warning", "config.wsgi:application",
    ],
    "gunicorn gthread, 4 threads": [
        str(VENV / "gunicorn"), "--worker-class", "gthread", "--threads", "4",
        "--workers", str(WORKERS), "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning",
        "--keep-alive", "75", "config.wsgi:application",
    ],
}
VIEWS = {"hello world": "/__bench/hello", "product list (API, uncached)": "/api/v1/products"}


def main() -> int:
    if shutil.which(str(VENV / "gunicorn")) is None:
        print("pip install gunicorn into .venv first (for this comparison only)")
        return 1
    if port_in_use("127.0.0.1", PORT):
        print(f"port {PORT} is in use")
        return 1
    big, _ = databases()
    env = bench_env(big)
    workdir = ROOT / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    rows: dict[tuple[str, str], list] = {}
    for _ in range(ROUNDS):
        for server, command in SERVERS.items():
            with open(workdir / "appserver.log", "wb") as log:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                for _ in range(100):
                    if port_in_use("127.0.0.1", PORT):
                        break
                    time.sleep(0.1)
                time.sleep(1)
                for view, path in VIEWS.items():
                    url = f"http://127.0.0.1:{PORT}{path}"
                    wrk.run("warm-up", url, workdir=workdir, duration=1, threads=2,
                            connections=16)
                    before = group_cpu_seconds(process.pid)
                    result = wrk.run(f"{server} {view}", url, workdir=workdir,
                                     duration=DURATION, threads=2, connections=32)
                    cpu = (group_cpu_seconds(process.pid) - before) * 1000 / max(
                        result.requests, 1)
                    rows.setdefault((server, view), []).append((result, cpu))
                    print(f"{server:34} {view:30} {result.rps:8,.0f} req/s  p50 "
                          f"{result.p50_ms:6.2f} ms  p99 {result.p99_ms:7.2f} ms  "
                          f"{cpu:.3f} CPU ms/req  errors {result.errors or 0}", flush=True)
            finally:
                os.killpg(process.pid, 15)
                process.wait(timeout=20)
                while port_in_use("127.0.0.1", PORT):
                    time.sleep(0.2)
    print("\nbest of rounds (req/s) and lowest CPU ms/req:")
    print("| server | view | req/s | p50 ms | p99 ms | CPU ms/req |")
    print("|---|---|---:|---:|---:|---:|")
    for (server, view), runs in rows.items():
        best = max(runs, key=lambda run: run[0].rps)[0]
        cpu = min(run[1] for run in runs)
        print(f"| {server} | {view} | {best.rps:,.0f} | {best.p50_ms:.2f} | {best.p99_ms:.2f} "
              f"| {cpu:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
