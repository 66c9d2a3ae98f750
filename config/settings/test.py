"""The test suite: the production middleware and policies, with fast hashing and a file mailbox.

DATABASE_URL and REDIS_URL are honoured exactly as in production, so CI runs the same suite on
SQLite + the shared file cache and on PostgreSQL + Redis.
"""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-" + "x" * 40
ALLOWED_HOSTS = ["*"]  # the live server and nginx answer on random ports and names

# Argon2 stays the hasher under test (the accounts tests check it), at the cheapest cost.
PASSWORD_HASHERS = ["shop.accounts.hashers.FastArgon2PasswordHasher"]

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("SHOP_TEST_STATIC_ROOT"):
    # the page-view tests (tests/e2e/test_page_views_browser.py): collectstatic into this
    # directory with hashed, pre-compressed names, served by nginx as in production
    STATIC_ROOT = Path(os.environ["SHOP_TEST_STATIC_ROOT"])
    STORAGES["staticfiles"] = {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }
LOG_DIR = os.environ.get("TEST_LOG_DIR", tempfile.gettempdir())

VAR_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the live server thread and the test share it through WAL.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# pytest-xdist runs the suite in several processes, each with its own database; each gets its
# own cache too (files under var/cache-<worker>, or Redis keys under bfm-<worker>:, which
# ResilientRedisCache.clear() alone clears). A shared one let a worker's clear wipe what another
# had just cached and a worker read facet counts cached from another's catalog. The app servers
# the tests start (tests/support/appserver.py) are given the namespace.
SHOP_TEST_CACHE_NAMESPACE = (os.environ.get("SHOP_TEST_CACHE_NAMESPACE")
                             or os.environ.get("PYTEST_XDIST_WORKER", ""))
if SHOP_TEST_CACHE_NAMESPACE:
    _part = "KEY_PREFIX" if "KEY_PREFIX" in CACHES["default"] else "LOCATION"
    CACHES["default"][_part] = f"{CACHES['default'][_part]}-{SHOP_TEST_CACHE_NAMESPACE}"

# The crash tests' fault injection (shop/core/faults.py): a file naming the step at which the
# app-server process dies. Defined only here, and empty unless a test sets it.
SHOP_FAULT_FILE = os.environ.get("SHOP_FAULT_FILE", "")
