"""Test helpers of the privacy tests: what a privacy test's order looks like (SHOPPER_ORDER,
for tests.factories.place_order), and looking for a person everywhere the server keeps
anything: every text column of every table (sessions decoded), every key and value of the
server-side cache (local memory or Redis), and the app's log lines as the JSON file handler
writes them."""

from __future__ import annotations

import logging
import pickle
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def database_text() -> str:
    """Every row of every table, as text (binary columns as lossy text, sessions decoded)."""
    from django.contrib.sessions.backends.db import SessionStore

    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    parts.append(str(value))
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        for (data,) in cursor.fetchall():
            parts.append(repr(SessionStore().decode(data)))
    return "\n".join(parts)


def _unpickled(raw) -> str:
    if isinstance(raw, bytes | memoryview):
        raw = bytes(raw)
        try:
            return repr(pickle.loads(raw))  # noqa: S301 - our own cache's values
        except Exception:
            return raw.decode("utf-8", "replace")
    return repr(raw)


def cache_entries() -> list[tuple[str, str]]:
    """(key, value as text) for every entry of the default cache."""
    backend = settings.CACHES["default"]["BACKEND"]
    entries = []
    if backend.endswith("LocMemCache"):
        for key, raw in list(cache._cache.items()):
            entries.append((key, _unpickled(raw)))
    elif backend.endswith("RedisCache"):
        client = cache._cache.get_client()
        for key in client.scan_iter(match="*", count=500):
            raw = client.get(key)
            if raw is None:
                continue
            entries.append((key.decode("utf-8", "replace"), _unpickled(raw)))
    elif backend.endswith("FileBasedCache"):
        # each file: the pickled expiry, then the zlib-compressed pickled value; the key is
        # only an md5 in the file name
        for path in cache._list_cache_files():
            try:
                with open(path, "rb") as handle:
                    pickle.load(handle)  # noqa: S301 - our own cache's files
                    raw = zlib.decompress(handle.read())
            except (FileNotFoundError, EOFError, zlib.error):
                continue
            entries.append((Path(path).name, _unpickled(raw)))
    else:  # pragma: no cover
        raise AssertionError(f"do not know how to read {backend}")
    return entries


def cache_text() -> str:
    return "\n".join(f"{key} {value}" for key, value in cache_entries())


@contextmanager
def log_file(path: Path) -> Iterator[Path]:
    """The app's JSON log handler, writing to `path` for the duration (like LOG_FILE)."""
    from pythonjsonlogger.json import JsonFormatter

    from shop.core.logging import RequestContextFilter

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    ))
    handler.addFilter(RequestContextFilter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        handler.close()


# What tests.factories.place_order is told for a privacy test's order: 52.95 for two "S / White"
# units, delivered to a postal code no real person has.
# Shipped: an account with an order not shipped yet cannot be erased (shop/privacy/errors.py
# OrdersOpen).
SHOPPER_ORDER = {"total": "52.95", "postal_code": "ZZ1 1ZZ", "variant_label": "S / White",
                 "status": "fulfilled"}
