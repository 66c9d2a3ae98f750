"""Counters that hold across processes and machines: throttles (shop/accounts/throttle.py) and
alert rules (shop/monitoring/alerts.py) count here, in the database.

A count lives in a fixed window (`window` seconds, aligned on the epoch): its row's key is the
subject's key plus the window number. `counter_recent` counts a sliding span instead, as the sum
of the small fixed windows it covers (alert rules: "20 within a minute" must fire at the 20th
event whenever the burst starts, not miss it when the burst straddles a window's edge).

`counter_hit` adds one with a conditional UPDATE inside a transaction and reads the result in
the same transaction: on PostgreSQL the row stays locked
until commit, on SQLite the IMMEDIATE transaction holds the database's write lock, so every
increment from any worker is counted exactly once and each caller sees its own rank.

Keys come from shop/core/cache_keys.py (keyed hashes: no email or address in a key).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

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


def _expiry(bucket: int, window: int, keep: int = 0) -> datetime:
    # kept one window (or `keep` seconds) longer: sliding counts read past windows
    return datetime.fromtimestamp((bucket + 1) * window + max(window, keep), tz=UTC)


def counter_hit(*, key: str, window: int, now: float | None = None,
                previous: bool = False, keep: int = 0) -> Hit:
    """Add one to `key`'s count in the current window and return the count, this hit
    included. With `previous`, also read the previous window's count. `keep`: how long past
    its end the window's row must stay readable (counter_recent's span)."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    name = _window_key(key, bucket)
    with transaction.atomic():
        if not Counter.objects.filter(key=name).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    Counter.objects.create(key=name, count=1,
                                           expires_at=_expiry(bucket, window, keep))
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


SLICES = 12  # a sliding span is counted in twelve small windows


def counter_recent(*, key: str, span: int, now: float | None = None) -> int:
    """Add one event to `key` and return how many it counted within the last `span` seconds
    (this one included): the sum of the small windows (span / SLICES seconds each) that the
    span covers, the current one included. Events up to one small window older than `span`
    may count too; none within the span is missed."""
    now = time.time() if now is None else now
    width = max(1, span // SLICES)
    hit = counter_hit(key=key, window=width, now=now, keep=span)
    bucket = int(now // width)
    earlier = [_window_key(key, bucket - n) for n in range(1, span // width + 1)]
    before = Counter.objects.filter(key__in=earlier).aggregate(total=Sum("count"))["total"]
    return hit.count + (before or 0)


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
