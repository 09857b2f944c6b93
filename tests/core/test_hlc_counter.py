"""A hybrid clock on a frozen wall clock (CRM_NOW, a laptop whose clock stopped) issuing a
million stamps in one millisecond — a large import does — must keep stamps that sort as text
in issue order and that the sync protocol accepts (six-digit counter)."""

from __future__ import annotations

import re

from crm_tui.domain.hlc import MAX_COUNTER, HybridClock, Timestamp

PATTERN = re.compile(r"^\d{16}-\d{6}-[\w\-]+$")  # sync/protocol.py's clock pattern


def test_the_counter_rolls_into_the_next_millisecond() -> None:
    clock = HybridClock(
        "dev", last=Timestamp(1_000, MAX_COUNTER - 2, "dev").encode(), wall=lambda: 1_000
    )
    stamps = [clock.tick().encode() for _ in range(5)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5
    assert all(PATTERN.match(s) for s in stamps), stamps
    assert Timestamp.decode(stamps[-1]).wall_ms == 1_001
    # the wall clock catching up later still moves forward
    clock.wall = lambda: 1_005
    assert clock.tick().encode() > stamps[-1]


def test_an_observed_clock_at_the_limit_then_a_tick() -> None:
    clock = HybridClock("dev", wall=lambda: 10)
    clock.observe(Timestamp(10, MAX_COUNTER, "other"))
    stamp = clock.tick().encode()
    assert PATTERN.match(stamp) and stamp > Timestamp(10, MAX_COUNTER, "other").encode()
