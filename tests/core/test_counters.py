"""The shared counters (shop/core/counters.py): exact under concurrency, fixed windows for
throttles, and sliding spans for alert rules that see a burst whenever it starts."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from shop.core.counters import counter_hit, counter_recent, counters_reset, serialized
from shop.core.models import Counter


def test_a_fixed_window_counts_and_says_when_it_ends(db):
    hits = [counter_hit(key="t:a", window=60, now=1_000_000.0 + n) for n in range(3)]
    assert [h.count for h in hits] == [1, 2, 3]
    assert hits[-1].window_ends == 1_000_020.0  # 1_000_020 is the next multiple of 60
    assert hits[-1].retry_after(now=1_000_010.0) == 11
    assert counter_hit(key="t:a", window=60, now=1_000_021.0).count == 1  # the next window
    counters_reset(key="t:a", window=60, now=1_000_021.0)
    assert counter_hit(key="t:a", window=60, now=1_000_022.0).count == 1


@pytest.mark.parametrize("start", [0.0, 2.5, 4.9, 30.0, 59.0])
def test_a_sliding_span_sees_a_burst_at_its_threshold_wherever_it_starts(db, start):
    base = 6_000_000.0 + start  # 6_000_000 is a multiple of 60
    counts = [counter_recent(key=f"t:s{start}", span=60, now=base + n * 1.5) for n in range(20)]
    assert counts == list(range(1, 21))


def test_a_sliding_span_forgets_old_events(db):
    for n in range(10):
        counter_recent(key="t:old", span=60, now=7_000_000.0 + n)
    assert counter_recent(key="t:old", span=60, now=7_000_000.0 + 80) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_from_many_threads_all_count():
    def hit(_):
        from django.db import connection as own

        try:
            return counter_hit(key="t:race", window=3600, now=8_000_000.0).count
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(pool.map(hit, range(40)))
    assert counts == list(range(1, 41))  # every caller saw its own rank


@pytest.mark.django_db(transaction=True)
def test_serialized_sections_do_not_overlap():
    seen = []

    def section(n):
        from django.db import connection as own

        try:
            with serialized("t:lock"):
                seen.append(("in", n))
                Counter.objects.filter(key="lock:t:lock").exists()
                seen.append(("out", n))
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(section, range(8)))
    assert all(seen[i][0] == "in" and seen[i + 1] == ("out", seen[i][1])
               for i in range(0, len(seen), 2)), seen
