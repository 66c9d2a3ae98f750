"""Counters that hold across processes and machines: throttles (shop/accounts/throttle.py) and
alert rules (shop/monitoring/alerts.py) count here, in the database.

A count lives in a fixed window (`window` seconds, aligned on the epoch): its row's key is the
subject's key plus the window number. `counter_hit` adds one with a conditional UPDATE inside a
transaction and reads the result in the same transaction: on PostgreSQL the row stays locked
until commit, on SQLite the IMMEDIATE transaction holds the database's write lock, so every
increment from any worker is counted exactly once and each caller sees its own rank.

Keys come from shop/policy/cache_keys.py (keyed hashes: no email or address in a key).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Counter

MAX_KEY = 200


@dataclass(frozen=True)
class Hit:
    count: int  # this window's count, this hit included
    previous: int  # the previous window's count (for a sliding estimate)
    window: int
    window_ends: float  # epoch seconds

    def retry_after(self, now: float | None = None) -> int:
        return max(1, int(self.window_ends - (now if now is not None else time.time())) + 1)

    def sliding(self, now: float) -> int:
        """This window's count plus the share of the previous one that the last `window`
        seconds still overlap (a burst straddling two windows is still seen)."""
        into = now - (self.window_ends - self.window)
        return int(self.count + self.previous * (1 - into / self.window))


def _window_key(key: str, bucket: int) -> str:
    return f"{key}:{bucket}"[:MAX_KEY]


def _expiry(bucket: int, window: int) -> datetime:
    # kept one window longer: the next window's sliding estimate reads it
    return datetime.fromtimestamp((bucket + 2) * window, tz=UTC)


def counter_hit(*, key: str, window: int, now: float | None = None,
                previous: bool = False) -> Hit:
    """Add one to `key`'s count in the current window and return the count, this hit
    included. With `previous`, also read the previous window's count."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    name = _window_key(key, bucket)
    with transaction.atomic():
        if not Counter.objects.filter(key=name).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    Counter.objects.create(key=name, count=1, expires_at=_expiry(bucket, window))
            except IntegrityError:  # another process created it a moment ago
                Counter.objects.filter(key=name).update(count=F("count") + 1)
            else:
                _purge_some(now)
        count = Counter.objects.filter(key=name).values_list("count", flat=True).get()
    before = 0
    if previous:
        before = Counter.objects.filter(key=_window_key(key, bucket - 1)).values_list(
            "count", flat=True).first() or 0
    return Hit(count=count, previous=before, window=window, window_ends=(bucket + 1) * window)


def counter_peek(*, key: str, window: int, now: float | None = None) -> int:
    """The current window's count, without adding to it."""
    now = time.time() if now is None else now
    name = _window_key(key, int(now // window))
    return Counter.objects.filter(key=name).values_list("count", flat=True).first() or 0


def counters_reset(*, key: str, window: int, now: float | None = None) -> None:
    """Forget the current and previous windows of `key` (a completed password reset lifts
    the account's sign-in throttle)."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    Counter.objects.filter(
        key__in=[_window_key(key, bucket), _window_key(key, bucket - 1)]
    ).delete()


def _purge_some(now: float) -> None:
    """Delete dead windows, a bounded batch at a time, whenever a new window starts."""
    dead = Counter.objects.filter(
        expires_at__lt=datetime.fromtimestamp(now, tz=UTC)
    ).values_list("pk", flat=True)[:500]
    Counter.objects.filter(pk__in=list(dead)).delete()


@contextmanager
def serialized(key: str) -> Iterator[None]:
    """A transaction that no other process runs for the same `key` at the same time: the
    check-then-act inside (is an alert already open? if not, open one) happens once.
    PostgreSQL: a row lock (SELECT ... FOR UPDATE); SQLite: the IMMEDIATE transaction's
    database lock."""
    name = ("lock:" + key)[:MAX_KEY]
    Counter.objects.bulk_create(
        [Counter(key=name, count=0, expires_at=datetime(9999, 1, 1, tzinfo=UTC))],
        ignore_conflicts=True,
    )
    with transaction.atomic():
        Counter.objects.select_for_update().filter(key=name).values_list("pk", flat=True).get()
        yield
