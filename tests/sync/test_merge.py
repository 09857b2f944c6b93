"""Laws of the per-field merge: order does not matter, applying twice changes nothing."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_tui.server.crud.merge import merge_fields
from crm_tui.domain.hlc import HybridClock, Timestamp, clamp_future

writes = st.lists(
    st.tuples(
        st.sampled_from(["city", "grade", "deleted"]),
        st.integers(0, 3),
        st.integers(1, 50),
        st.sampled_from(["a", "b", "c"]),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda w: (w[2], w[3]),
)


def replay(batch) -> tuple[dict, dict]:
    values: dict = {}
    clocks: dict = {}
    for name, value, wall, node in batch:
        stamp = Timestamp(wall, 0, node).encode()
        merge_fields(values, clocks, {}, {name: value}, stamp, 0)
    return values, clocks


@settings(max_examples=60, deadline=None)
@given(writes)
def test_merge_is_order_independent_and_idempotent(batch) -> None:
    expected = replay(batch)
    for order in itertools.islice(itertools.permutations(batch), 24):
        assert replay(order) == expected
    assert replay(batch + batch) == expected


def test_losing_and_overwritten_values_are_reported() -> None:
    values, clocks = {"city": "Wuhan"}, {"city": "0000000000000005-000000-a"}
    older = merge_fields(
        values,
        clocks,
        {"city": [9, "u1"]},
        {"city": "Xi'an"},
        "0000000000000003-000000-b",
        base_version=0,
        names={"u1": "alice"},
    )
    assert values["city"] == "Wuhan"
    [lost] = older.conflicts
    assert (lost.winner, lost.yours, lost.theirs, lost.who) == ("theirs", "Xi'an", "Wuhan", "alice")
    newer = merge_fields(
        values,
        clocks,
        {"city": [9, "u1"]},
        {"city": "Hefei"},
        "0000000000000007-000000-b",
        base_version=3,
    )
    assert values["city"] == "Hefei" and newer.conflicts[0].winner == "yours"
    seen = merge_fields(
        values,
        clocks,
        {"city": [9, "u1"]},
        {"city": "Suzhou"},
        "0000000000000008-000000-b",
        base_version=9,
    )
    assert seen.conflicts == []  # the laptop had seen the value it replaced


def test_clocks_far_ahead_are_clamped_and_observed_clocks_ratchet() -> None:
    assert clamp_future("0000000000999999-000002-x", now_ms=1000) == "0000000000001000-000002-x"
    assert clamp_future("0000000000001500-000002-x", now_ms=1000) == "0000000000001500-000002-x"
    clock = HybridClock("me", wall=lambda: 10)
    clock.observe("0000000000000500-000004-server")
    assert clock.tick() == Timestamp(500, 5, "me")
