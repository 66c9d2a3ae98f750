"""Each pytest-xdist worker has a cache of its own (config/settings/test.py).

The cache is shared by every process of a machine (files under var/) or of a Redis database,
and every test starts by clearing it (tests/conftest.py). Under `pytest -n 2` one worker's
clear wiped the facets another had just cached (a page then ran its facet queries twice), and
one worker's cached facet counts were read by the other, whose database holds another catalog
(tests/web/test_storefront_queries.py and the page walk of tests/web/test_storefront.py failed
beside tests/orders). Two real processes, as two workers are, each with its own namespace."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, sys, django
django.setup()
from django.core.cache import cache
for step in sys.argv[1:]:
    action, _, value = step.partition("=")
    if action == "clear":
        cache.clear()
    elif action == "set":
        cache.set("isolation-probe", value, 60)
    elif action == "get":
        print(json.dumps(cache.get("isolation-probe")))
"""


# Worker names of their own: the suite's real xdist workers (gw0, gw1) clear their caches at
# every test, so probing under their names failed whenever one of them cleared mid-probe.
PROBE_A, PROBE_B = "gwprobe-a", "gwprobe-b"


def worker(name: str, *steps: str) -> str | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("SHOP_TEST_CACHE_NAMESPACE", None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", PYTEST_XDIST_WORKER=name,
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT, *steps], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


def test_a_worker_neither_reads_nor_clears_another_workers_cache():
    try:
        worker(PROBE_A, "clear", "set=from A")
        # B starts a test (clears its cache) and caches the same key for its own database
        assert worker(PROBE_B, "clear", "get") is None
        worker(PROBE_B, "set=from B")
        assert worker(PROBE_A, "get") == "from A"
        assert worker(PROBE_B, "get") == "from B"
        worker(PROBE_B, "clear")
        assert worker(PROBE_A, "get") == "from A"
    finally:
        worker(PROBE_A, "clear")
        worker(PROBE_B, "clear")
