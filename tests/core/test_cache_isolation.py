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


def worker(name: str, *steps: str) -> str | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", PYTEST_XDIST_WORKER=name,
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT, *steps], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


def test_a_worker_neither_reads_nor_clears_another_workers_cache():
    try:
        worker("gw0", "clear", "set=from gw0")
        # gw1 starts a test (clears its cache) and caches the same key for its own database
        assert worker("gw1", "clear", "get") is None
        worker("gw1", "set=from gw1")
        assert worker("gw0", "get") == "from gw0"
        assert worker("gw1", "get") == "from gw1"
        worker("gw1", "clear")
        assert worker("gw0", "get") == "from gw0"
    finally:
        worker("gw0", "clear")
        worker("gw1", "clear")
