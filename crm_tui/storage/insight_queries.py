"""Provides the reads over stored customer insight, plain sqlite3: the desk's "valuable
customers at risk" (on the value-at-risk index), segment sizes and value, the churn figures
of a period (lost customers and why, risk by segment, owner and competitor), and the
segment snapshot of the month's start that "movement since last month" compares with.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

AT_RISK_MIN = 0.4  # a risk under this is not "at risk" on the desk
# outbox.USER_ID_KEY and ROLE_KEY, spelled here: outbox imports SQLAlchemy, and the desk
# reads this before the ORM has loaded.
USER_ID_KEY, ROLE_KEY = "user_id", "role"
SNAPSHOT_KEY = "insight.snapshot."  # + 'YYYY-MM': {customer_id: segment} at the month's start


@dataclass(frozen=True)
class AtRisk:
    customer_id: str
    name: str
    segment: str | None
    risk: float
    value_at_risk: int
    clv: int
    owner: str | None


def scope(conn: sqlite3.Connection, team: bool | None = None) -> tuple[str, tuple[str, ...]]:
    """A WHERE part limiting customers to the rep's own (and unowned ones). `team` None:
    by role (a manager sees the team's, as on the desk); True: everyone's (the caller has
    checked the manager); False: the user's own."""
    from crm_tui.domain.permissions import is_manager

    rows = dict(
        conn.execute(
            "SELECT key, value FROM sync_state WHERE key IN (?, ?)",
            (USER_ID_KEY, ROLE_KEY),
        ).fetchall()
    )
    user = rows.get(USER_ID_KEY)
    if team is None:
        team = is_manager(rows.get(ROLE_KEY))
    if user is None or team:
        return "", ()
    return " AND (c.owner_id = ? OR c.owner_id IS NULL)", (user,)


def at_risk(conn: sqlite3.Connection, limit: int = 8) -> tuple[list[AtRisk], int]:
    """Important-group customers at risk, most yearly value at risk first, and how many."""
    where, params = scope(conn)
    base = (
        "FROM customer c LEFT JOIN user u ON u.id = c.owner_id "
        "WHERE c.deleted = 0 AND c.value_at_risk > 0 AND c.risk >= ? "
        f"AND c.segment LIKE 'important-%'{where}"
    )
    rows = conn.execute(
        "SELECT c.id, c.name, c.segment, c.risk, c.value_at_risk, c.clv, u.name "
        f"{base} ORDER BY c.value_at_risk DESC, c.id DESC LIMIT ?",
        (AT_RISK_MIN, *params, limit),
    ).fetchall()
    total = conn.execute(f"SELECT count(*) {base}", (AT_RISK_MIN, *params)).fetchone()[0]
    return [AtRisk(*r) for r in rows], total


@dataclass(frozen=True)
class SegmentRow:
    segment: str | None
    customers: int
    value: int  # lifetime value, minor units
    at_risk: int  # yearly value at risk
    risk: float  # average risk


def segments(conn: sqlite3.Connection, team: bool | None = None) -> list[SegmentRow]:
    where, params = scope(conn, team)
    rows = conn.execute(
        "SELECT c.segment, count(*), sum(c.clv), sum(c.value_at_risk), avg(c.risk) "
        f"FROM customer c WHERE c.deleted = 0{where} GROUP BY c.segment",
        params,
    ).fetchall()
    return [SegmentRow(s, n, v or 0, a or 0, round(r or 0.0, 3)) for s, n, v, a, r in rows]


def current_segments(conn: sqlite3.Connection, team: bool | None = None) -> dict[str, str | None]:
    where, params = scope(conn, team)
    return dict(
        conn.execute(f"SELECT c.id, c.segment FROM customer c WHERE c.deleted = 0{where}", params)
    )


def snapshot(conn: sqlite3.Connection, month: str) -> dict[str, str | None] | None:
    row = conn.execute(
        "SELECT value FROM sync_state WHERE key = ?", (SNAPSHOT_KEY + month,)
    ).fetchone()
    return json.loads(row[0]) if row else None


def keep_snapshot(conn: sqlite3.Connection, today: date) -> None:
    """Keep this month's first look at the segments (once a month; a local note), so the
    report can say how customers moved since. Called after a full refresh."""
    month = today.strftime("%Y-%m")
    if snapshot(conn, month) is not None:
        return
    conn.execute(
        "INSERT OR IGNORE INTO sync_state(key, value) VALUES (?, ?)",
        (SNAPSHOT_KEY + month, json.dumps(current_segments(conn, team=True))),
    )


@dataclass(frozen=True)
class LostRow:
    customer_id: str
    customer: str
    owner: str | None
    deals: int
    amount: int
    competitor: str | None
    reason: str | None


def lost_in(
    conn: sqlite3.Connection, start: date, end: date, team: bool | None = None
) -> list[LostRow]:
    """Customers who lost deals in [start, end) and bought nothing in it: lost this period,
    with the competitor and reason of their latest lost deal."""
    where, params = scope(conn, team)
    sql = (
        "SELECT c.id, c.name, u.name, count(*), sum(o.amount), "
        "(SELECT k.name FROM opportunity x LEFT JOIN competitor k ON k.id = x.competitor_id "
        " WHERE x.customer_id = c.id AND x.deleted = 0 AND x.stage = 'lost' "
        " AND x.closed_on >= ?1 AND x.closed_on < ?2 ORDER BY x.closed_on DESC LIMIT 1), "
        "(SELECT x.lost_reason FROM opportunity x WHERE x.customer_id = c.id AND x.deleted = 0 "
        " AND x.stage = 'lost' AND x.closed_on >= ?1 AND x.closed_on < ?2 "
        " ORDER BY x.closed_on DESC LIMIT 1) "
        "FROM opportunity o JOIN customer c ON c.id = o.customer_id AND c.deleted = 0 "
        "LEFT JOIN user u ON u.id = c.owner_id "
        "WHERE o.deleted = 0 AND o.stage = 'lost' AND o.closed_on >= ?1 AND o.closed_on < ?2 "
        "AND NOT EXISTS (SELECT 1 FROM opportunity w WHERE w.customer_id = c.id "
        " AND w.deleted = 0 AND w.stage = 'won' AND w.closed_on >= ?1 AND w.closed_on < ?2)"
        f"{where.replace('?', '?3')} GROUP BY c.id ORDER BY sum(o.amount) DESC, c.id"
    )
    rows = conn.execute(sql, (start.isoformat(), end.isoformat(), *params)).fetchall()
    return [LostRow(*r) for r in rows]


def risk_by(
    conn: sqlite3.Connection, what: str, team: bool | None = None
) -> list[tuple[str, int, float, int]]:
    """(group, customers at risk, average risk, value at risk) by owner or by segment."""
    where, params = scope(conn, team)
    key = {"owner": "coalesce(u.name, '(none)')", "segment": "coalesce(c.segment, '')"}[what]
    return conn.execute(
        f"SELECT {key}, count(*), round(avg(c.risk), 3), sum(c.value_at_risk) "
        "FROM customer c LEFT JOIN user u ON u.id = c.owner_id "
        f"WHERE c.deleted = 0 AND c.risk >= ?{where} GROUP BY 1 ORDER BY 4 DESC, 1",
        (AT_RISK_MIN, *params),
    ).fetchall()


def lost_to(
    conn: sqlite3.Connection, start: date, end: date, team: bool | None = None
) -> list[tuple[str, int, int]]:
    """(competitor, deals lost, amount) in [start, end), the biggest first."""
    where, params = scope(conn, team)
    return conn.execute(
        "SELECT coalesce(k.name, '(none named)'), count(*), sum(o.amount) FROM opportunity o "
        "JOIN customer c ON c.id = o.customer_id LEFT JOIN competitor k ON k.id = o.competitor_id "
        "WHERE o.deleted = 0 AND o.stage = 'lost' AND o.closed_on >= ? AND o.closed_on < ?"
        f"{where} GROUP BY 1 ORDER BY 3 DESC, 1",
        (start.isoformat(), end.isoformat(), *params),
    ).fetchall()
