"""Production settings refuse a per-process cache (issue 11): a worker's own memory would be a
second truth per process for anything the cache held."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "p" * 60,
    "ALLOWED_HOSTS": "shop.example.com",
    "SHOP_ALLOW_TEST_GATEWAY": "1",
}


def load(prelude: str) -> subprocess.CompletedProcess:
    code = (prelude + "\nimport config.settings.production as p\n"
            "print(p.CACHES['default']['BACKEND'])")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=60)


def test_the_default_is_a_cache_every_process_shares():
    loaded = load("")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "django.core.cache.backends.filebased.FileBasedCache"


def test_a_per_process_cache_is_refused():
    refused = load(
        "import config.settings.base as base\n"
        "base.CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}"
    )
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "every worker process would keep its own copy" in refused.stderr
