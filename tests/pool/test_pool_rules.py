"""The pool's pure rules: when a customer goes back to the pool, warnings, caps, the reclaim
wait, and the distance that flags a check-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_tui.domain.pool_rules import (
    PoolError,
    PoolRules,
    Standing,
    days_left,
    distance_m,
    far_from_customer,
    is_due,
    parse_coordinates,
    release_at,
    warn_from,
    why_not_claim,
)

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
DEFAULTS = PoolRules.from_rows([])


def test_a_customer_without_a_done_follow_up_for_30_days_is_due() -> None:
    s = Standing(
        grade=None, owned_since=NOW - timedelta(days=40), last_done=NOW - timedelta(days=31)
    )
    assert is_due(DEFAULTS, s, NOW)
    recent = Standing(
        grade=None, owned_since=NOW - timedelta(days=40), last_done=NOW - timedelta(days=29)
    )
    assert not is_due(DEFAULTS, recent, NOW)
    assert release_at(DEFAULTS, recent) == NOW + timedelta(days=1)


def test_a_newly_claimed_customer_gets_the_full_period_despite_old_follow_ups() -> None:
    s = Standing(
        grade="B", owned_since=NOW - timedelta(days=2), last_done=NOW - timedelta(days=300)
    )
    assert release_at(DEFAULTS, s) == NOW + timedelta(days=28)


def test_locked_won_and_open_deal_customers_stay_unless_the_rule_says_not() -> None:
    old = NOW - timedelta(days=90)
    assert release_at(DEFAULTS, Standing(None, old, locked=True)) is None
    assert release_at(DEFAULTS, Standing(None, old, has_won_deal=True)) is None
    assert release_at(DEFAULTS, Standing(None, old, has_open_deal=True)) is None
    strict = PoolRules.from_rows([{"grade": "*", "exempt_won": False, "exempt_open_deal": 0}])
    assert is_due(strict, Standing(None, old, has_won_deal=True, has_open_deal=True), NOW)


def test_rules_differ_by_grade_and_the_deal_clock_can_win() -> None:
    rules = PoolRules.from_rows(
        [
            {"grade": "*", "followup_days": 30},
            {"grade": "A", "followup_days": 60, "deal_days": 20, "exempt_open_deal": False},
            {"grade": "C", "followup_days": 0, "deal_days": 0},
        ]
    )
    since = NOW - timedelta(days=45)
    assert is_due(rules, Standing("B", since), NOW)
    # A: 60 days of follow-up, but 20 days without an open deal comes first.
    a = Standing(
        "A", since, last_done=NOW, last_open_deal=NOW - timedelta(days=10), has_open_deal=True
    )
    assert release_at(rules, a) == NOW + timedelta(days=10)
    # C: both clocks off, never released.
    assert release_at(rules, Standing("C", since)) is None


def test_warning_starts_warn_days_before_release() -> None:
    s = Standing(None, NOW - timedelta(days=25))
    assert warn_from(DEFAULTS, s) == NOW - timedelta(days=2)
    assert days_left(release_at(DEFAULTS, s), NOW) == 5
    assert days_left(NOW - timedelta(days=3), NOW) == 0


def test_negative_days_are_refused() -> None:
    with pytest.raises(PoolError, match="cannot be negative"):
        PoolRules.from_rows([{"grade": "*", "cap": -1}])


def test_cap_and_reclaim_wait() -> None:
    rules = PoolRules.from_rows([{"grade": "*", "cap": 3, "reclaim_days": 15}])
    args = {"actor_id": "u1", "grade": None, "now": NOW}
    assert "cap is 3" in why_not_claim(
        rules, owned=3, previous_owner_id=None, released_at=None, **args
    )
    assert why_not_claim(rules, owned=2, previous_owner_id=None, released_at=None, **args) is None
    released = NOW - timedelta(days=10)
    why = why_not_claim(rules, owned=0, previous_owner_id="u1", released_at=released, **args)
    assert why and "in 5 days" in why
    assert (
        why_not_claim(rules, owned=0, previous_owner_id="u2", released_at=released, **args) is None
    )
    later = NOW - timedelta(days=16)
    assert why_not_claim(rules, owned=0, previous_owner_id="u1", released_at=later, **args) is None
    assert (
        why_not_claim(DEFAULTS, owned=10_000, previous_owner_id=None, released_at=None, **args)
        is None
    )


def test_distance_and_the_far_flag() -> None:
    # People's Square to the Bund, Shanghai: about 1.5 km.
    square, bund = parse_coordinates("31.2304,121.4737"), parse_coordinates("31.2400, 121.4900")
    assert 1_500 < distance_m(square, bund) < 2_000
    assert far_from_customer(square, bund) is not None
    assert far_from_customer(square, bund, limit_m=5_000) is None
    assert far_from_customer(None, bund) is None
    assert parse_coordinates("31.2304，121.4737") == square  # a Chinese comma
    for bad in ("north", "91,0", "0,181", ""):
        with pytest.raises(PoolError):
            parse_coordinates(bad)


def test_the_desk_prefilter_never_leaves_out_a_customer_near_the_pool() -> None:
    """The SQL prefilter (storage/pool_quick.py) against the rules themselves, on a grid of
    owned / followed-up days and grades, with and without a deal clock."""
    import sqlite3

    from crm_tui.storage.pool_quick import _stamp, prefilter

    conn = sqlite3.connect(":memory:")
    conn.executescript(
        "CREATE TABLE customer (id TEXT, grade TEXT, claimed_at TEXT, created_at TEXT);"
        "CREATE TABLE l (customer_id TEXT, last_done_at TEXT);"
    )
    rows = []
    for n, (grade, owned, done) in enumerate(
        (g, o, d) for g in (None, "A", "B", "C") for o in (1, 20, 40, 90) for d in (None, 1, 20, 40)
    ):
        rows.append((str(n), grade, _stamp(NOW - timedelta(days=owned)), done))
        conn.execute(
            "INSERT INTO customer VALUES (?, ?, ?, ?)",
            (str(n), grade, None, _stamp(NOW - timedelta(days=owned))),
        )
        if done is not None:
            conn.execute(
                "INSERT INTO l VALUES (?, ?)", (str(n), _stamp(NOW - timedelta(days=done)))
            )
    for team in (
        PoolRules.from_rows([]),
        PoolRules.from_rows([{"grade": "A", "followup_days": 45, "deal_days": 20}]),
        PoolRules.from_rows([{"grade": "*", "deal_days": 30}, {"grade": "C", "deal_days": 0}]),
    ):
        sql, params = prefilter(team, NOW)
        kept = {
            r[0]
            for r in conn.execute(
                "SELECT c.id FROM customer c LEFT JOIN l ON l.customer_id = c.id WHERE 1 = 1" + sql,
                params,
            )
        }
        for cid, grade, _, done in rows:
            owned_at = conn.execute("SELECT created_at FROM customer WHERE id = ?", (cid,))
            owned = datetime.fromisoformat(owned_at.fetchone()[0]).replace(tzinfo=UTC)
            s = Standing(grade, owned, NOW - timedelta(days=done) if done is not None else None)
            warn = warn_from(team, s)
            if warn is not None and warn <= NOW:
                assert cid in kept, (team, grade, owned, done)
