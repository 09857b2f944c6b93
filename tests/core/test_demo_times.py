"""The demo's history carries believable creation times: no row is made after the events
it stands for (a deal before it closed, a member before the invitation ...) or in the
future, so today's daily figures are one rep's day, not the whole generated history; and a
build that fails half-way is not taken for today's demo by the next `crm demo`."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from crm_tui.demo import existing_stamp
from crm_tui.services.demo import prepare
from crm_tui.storage.office_queries import report_figures

_NOT_EVENTS = {"created_at", "updated_at"}


def _event_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    return [
        c
        for c in cols
        if c not in _NOT_EVENTS
        and (c.endswith(("_at", "_on")) or c in ("expected_close", "period_start"))
    ]


def _late_rows(conn: sqlite3.Connection, clock) -> dict[str, list[tuple]]:
    """Per table, (id, created_at, column, value) of rows made after one of their events."""
    now = clock.now().astimezone(UTC).replace(tzinfo=None)
    late: dict[str, list[tuple]] = {}
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        if "created_at" not in cols:
            continue
        events = _event_columns(conn, table)
        picked = ", ".join(["id", "created_at", *events])
        for row in conn.execute(f"SELECT {picked} FROM {table}"):
            made = datetime.fromisoformat(row[1])
            local_day = made.replace(tzinfo=UTC).astimezone(clock.zone).date()
            if made > now:
                late.setdefault(table, []).append((row[0], row[1], "now", now))
            for col, value in zip(events, row[2:], strict=True):
                if not value or not isinstance(value, str):
                    continue
                if len(value) == 10:  # a local date
                    bad = local_day > date.fromisoformat(value)
                else:
                    bad = made > datetime.fromisoformat(value).replace(tzinfo=None)
                if bad:
                    late.setdefault(table, []).append((row[0], row[1], col, value))
    return late


def test_no_demo_row_is_created_after_its_own_events_or_in_the_future(crm, db_path, clock):
    assert crm("demo", "--customers", "60", "--no-open").exit_code == 0
    conn = sqlite3.connect(db_path)
    late = _late_rows(conn, clock)
    assert late == {}, {t: (len(rows), rows[:2]) for t, rows in late.items()}
    # The two years of won deals really are there, only made before they closed.
    won = conn.execute("SELECT count(*) FROM opportunity WHERE stage = 'won'").fetchone()[0]
    assert won > 300
    # Quotes on a deal that was signed were sent and decided before the signing.
    after = conn.execute(
        "SELECT count(*), sum(q.sent_at >= c.signed_on OR q.decided_on > c.signed_on) "
        "FROM quote q JOIN contract c ON c.opportunity_id = q.opportunity_id"
    ).fetchone()
    assert after[0] > 0 and after[1] == 0, after


def test_todays_figures_on_the_demo_are_one_reps_day(crm, db_path, clock) -> None:
    assert crm("demo", "--customers", "60", "--no-open").exit_code == 0
    conn = sqlite3.connect(db_path)
    today = clock.today()
    figures = report_figures(
        conn,
        owner_id=None,
        start=today,
        end=today + timedelta(days=1),
        clock=clock,
        currency="CNY",
    )
    assert figures["new_customers"] <= 5, figures
    assert figures["deals_created"] <= 5, figures
    assert figures["deals_won"] <= 20, figures
    assert figures["followups_done"] <= 30, figures


def test_a_failed_build_is_not_taken_for_todays_demo(tmp_path, clock, monkeypatch) -> None:
    from crm_tui.services import insight_demo

    path = tmp_path / "demo.db"

    def broken(book, **_kw):
        raise RuntimeError("the insight step broke")

    monkeypatch.setattr(insight_demo, "add_insight", broken)
    with pytest.raises(RuntimeError):
        list(prepare(path, customers=30, seed=7, clock=clock))
    assert not path.exists() and existing_stamp(path) is None
    monkeypatch.undo()
    lines = list(prepare(path, customers=30, seed=7, clock=clock))
    assert "today's demo data" not in lines[0]
    assert existing_stamp(path) is not None
    again = list(prepare(path, customers=30, seed=7, clock=clock))
    assert again == ["today's demo data (use --fresh for new data)"]
