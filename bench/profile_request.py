"""Profile one request in process (cProfile), against the bench database.

    .venv/bin/python -m bench.profile_request /api/v1/products
    .venv/bin/python -m bench.profile_request /api/v1/orders --shopper     # as the 50-order shopper
    .venv/bin/python -m bench.profile_request /products/ --sort tottime --top 40

Runs after `make bench` has prepared the database (PostgreSQL `bench` when it answers, else
var/bench/bench.sqlite3). Prints the CPU time per request and the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--shopper", action="store_true",
                        help="send the bearer token of the bench shopper with the most orders")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    if os.environ.get("BENCH_PROFILE_CHILD") != "1":  # re-run with the bench environment
        from bench.run import bench_env, databases

        env = {**bench_env(databases()[0]), "BENCH_PROFILE_CHILD": "1", "LOG_LEVEL": "WARNING"}
        python = str(ROOT / ".venv" / "bin" / "python")
        return subprocess.run([python, "-m", "bench.profile_request", *sys.argv[1:]], env=env,
                              cwd=ROOT, check=False).returncode

    import django

    django.setup()
    from django.test import Client

    headers = {}
    if args.shopper:
        from django.db.models import Count

        from shop.accounts.tokens import access_token_issue
        from shop.orders.models import Order

        busiest = (Order.objects.values("user").annotate(n=Count("id")).order_by("-n").first())
        if not busiest:
            print("no orders in the bench database: run make bench first")
            return 1
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(pk=busiest["user"])
        headers["HTTP_AUTHORIZATION"] = f"Bearer {access_token_issue(user=user)}"
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.get(args.path, **headers)
    print(f"GET {args.path} -> {response.status_code}, {len(response.content):,} bytes")
    for _ in range(20):
        client.get(args.path, **headers)
    started = time.process_time()
    for _ in range(args.requests):
        client.get(args.path, **headers)
    plain = (time.process_time() - started) * 1000 / args.requests
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        client.get(args.path, **headers)
    profiler.disable()
    print(f"{plain:.2f} ms of CPU per request without the profiler (test client, one thread)")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
