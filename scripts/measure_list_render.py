"""App CPU of one uncached storefront list render, in process (issue 16).

    .venv/bin/python scripts/measure_list_render.py                  # 200 renders of /products/
    .venv/bin/python scripts/measure_list_render.py --keep-cache     # facets stay cached
    .venv/bin/python scripts/measure_list_render.py --profile        # + the top of cProfile

Test settings, its own SQLite file (var/measure/list.sqlite3, migrated and seeded with 200
products on first use) and its own file cache. Each render runs through django.test.Client and
the whole middleware stack; the cache is cleared before each one (untimed) unless --keep-cache,
so the facets and counts are computed again as on a real miss. Prints the mean and median CPU ms
(time.process_time) per render.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = ROOT / "var" / "measure"


def _check(response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{response.status_code} from the page: nothing measured")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/products/")
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--keep-cache", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'list.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.conf import settings

    django.setup()
    settings.CACHES["default"]["LOCATION"] = str(WORK / "cache")
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from shop.catalog.models import Product

    call_command("migrate", verbosity=0)
    if not Product.objects.exists():
        call_command("seed_catalog", products=args.products, images=False, verbosity=0)
    client = Client()
    for _ in range(20):  # warm up: imports, compiled templates, connections
        cache.clear()
        _check(client.get(args.path))
    samples = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    for _ in range(args.renders):
        if not args.keep_cache:
            cache.clear()
        if profiler:
            profiler.enable()
        start = time.process_time()
        response = client.get(args.path)
        samples.append((time.process_time() - start) * 1000)
        if profiler:
            profiler.disable()
        _check(response)
    print(f"{args.path}: {args.renders} renders, {len(response.content)} bytes, "
          f"{'facets cached' if args.keep_cache else 'cache cleared before each'}: "
          f"mean {statistics.mean(samples):.2f} ms CPU, median {statistics.median(samples):.2f} ms")
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
