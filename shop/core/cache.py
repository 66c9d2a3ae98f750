"""The Django cache over Redis, for a shop that must keep working when Redis does not.

Redis is a cache here: nothing the shop must get right lives only in it (sessions, token
revocations, throttle and alert counters are in the database). So when Redis cannot be
reached, a cache call answers like an empty cache (a miss, a write that did not stick) instead
of raising into the request, and Redis is left alone for RETRY_AFTER seconds before the next
try, so that a dead or black-holed server costs no request more than one short timeout.
Every change between reachable and unreachable is reported to shop/core/health.py (one log
line and the health state, once for all processes).
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("shop.health")

RETRY_AFTER = 2.0  # seconds without trying Redis after a failure


class ResilientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that degrades to an empty cache while
    Redis is unreachable (one instance per thread: Django's cache handler)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._failing = False

    # --- the breaker

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        self._down_until = time.monotonic() + RETRY_AFTER
        if not self._failing:
            self._failing = True
            _report(up=False, detail=type(error).__name__)

    def _succeeded(self) -> None:
        if self._failing:
            self._failing = False
            _report(up=True, detail="")

    def _call(self, name: str, fallback, *args, **kwargs):
        if not self._available():
            return fallback
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except RedisError as error:
            self._failed(error)
            return fallback
        self._succeeded()
        return result

    def ping(self) -> bool:
        """Whether Redis answers now (the health check: it tries even while the breaker is
        open, and closes it on success)."""
        try:
            self._cache.get_client(write=True).ping()
        except RedisError as error:
            self._failed(error)
            return False
        self._down_until = 0.0
        self._succeeded()
        return True

    # --- the cache API, each call guarded

    def add(self, key, value, timeout=None, version=None):
        return self._call("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=None, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        if not self._available():
            raise ValueError("the cache is unreachable")  # what incr says for a missing key
        try:
            result = super().incr(key, delta, version)
        except RedisError as error:
            self._failed(error)
            raise ValueError("the cache is unreachable") from None
        self._succeeded()
        return result

    def set_many(self, data, timeout=None, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        """Deletes this cache's keys (those under its KEY_PREFIX), not the whole Redis
        database, which other users of the database may share (each pytest-xdist worker has
        its own prefix: config/settings/test.py)."""
        if not self._available():
            return False
        try:
            client = self._cache.get_client(write=True)
            batch = []
            for key in client.scan_iter(match=f"{self.key_prefix}:*", count=500):
                batch.append(key)
                if len(batch) >= 500:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
        except RedisError as error:
            self._failed(error)
            return False
        self._succeeded()
        return True


def _report(*, up: bool, detail: str) -> None:
    # A cache backend is imported by its path in settings.CACHES and must load without the app
    # registry; health.py imports core.models, so the backend reaches it only to report.
    from .health import dependency_report

    dependency_report(name="redis", up=up, detail=detail)
