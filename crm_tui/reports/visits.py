"""Provides the visits report (issue 18): visit check-ins per rep per day — how many, the
time spent (check-in to check-out) and how many were flagged as made far from the
customer. Plain sqlite3, read-only."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime

from crm_tui.domain.dates import Clock


@dataclass(frozen=True)
class VisitDay:
    owner_id: str | None
    day: date
    visits: int
    minutes: int
    open: int  # checked in, not yet out
    flagged: int


def _at(stored: str | None) -> datetime | None:
    if not stored:
        return None
    moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def visit_days(
    conn: sqlite3.Connection,
    clock: Clock,
    start: date,
    end: date,
    owner_id: str | None = None,
) -> list[VisitDay]:
    """Days in [start, end) (local), newest first, per rep (`owner_id`: one rep only)."""
    lo = clock.day_start_utc(start).strftime("%Y-%m-%d %H:%M:%S.%f")
    hi = clock.day_start_utc(end).strftime("%Y-%m-%d %H:%M:%S.%f")
    sql = (
        "SELECT owner_id, checked_in_at, checked_out_at, flagged FROM checkin "
        "WHERE deleted = 0 AND checked_in_at >= ? AND checked_in_at < ?"
    )
    args: tuple = (lo, hi)
    if owner_id is not None:
        sql += " AND owner_id = ?"
        args = (*args, owner_id)
    days: dict[tuple[str | None, date], list[int]] = {}
    for owner, came, left, flagged in conn.execute(sql, args):
        start_at, end_at = _at(came), _at(left)
        if start_at is None:
            continue
        key = (owner, clock.to_local(start_at).date())
        tally = days.setdefault(key, [0, 0, 0, 0])
        tally[0] += 1
        if end_at is None:
            tally[2] += 1
        else:
            tally[1] += max(0, round((end_at - start_at).total_seconds() / 60))
        tally[3] += int(bool(flagged))
    out = [VisitDay(o, d, *t) for (o, d), t in days.items()]
    out.sort(key=lambda v: (v.day, v.owner_id or ""), reverse=True)
    return out
