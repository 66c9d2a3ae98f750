"""Settings of the benchmark's app server: production settings plus the bench-only URLconf.

bench/run.py provides what production settings require (SECRET_KEY, ALLOWED_HOSTS) and the
bench database. The bare views of bench/views.py are reachable only under these settings.
"""

import os

# The benchmark checks out with the built-in test card; no real money moves.
os.environ.setdefault("SHOP_ALLOW_TEST_GATEWAY", "1")

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
