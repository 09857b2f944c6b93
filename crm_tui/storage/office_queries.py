"""Provides the office read functions (issue 17) on a plain sqlite3 connection: a work
report's figures for one author and period, the contact-log statistics (by channel, rep
and month) and the customers not contacted for their grade's number of days.

Every figure is one aggregate in SQLite (nothing loads every row). Times are stored as
naive UTC text, so a local period is first turned into the stored form (`Window`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from crm_tui.domain.dates import Clock
from crm_tui.storage.report_due import due_rules, reports_not_written  # noqa: F401 - re-exported
from crm_tui.storage.report_queries import CLAIMED_STATUSES
from crm_tui.storage.report_rows import Window, day_start_text


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return found.fetchone() is not None


def report_figures(
    conn: sqlite3.Connection,
    *,
    owner_id: str | None,
    start: date,
    end: date,
    clock: Clock,
    currency: str,
) -> dict[str, int]:
    """The figures block of one author's report for the local days [start, end)."""
    w = Window.of(start, end, clock)
    p: dict[str, Any] = {"o": owner_id, "s": w.start_ts, "e": w.end_ts, "cur": currency}
    days = {"o": owner_id, "s": start.isoformat(), "e": end.isoformat(), "cur": currency}
    money = "coalesce(sum(CASE WHEN currency = :cur THEN amount END), 0)"

    def one(sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
        return conn.execute(sql, params).fetchone()

    out: dict[str, int] = {}
    done, visits = one(
        "SELECT count(*), coalesce(sum(kind = 'visit'), 0) FROM activity WHERE deleted = 0 "
        "AND done_at >= :s AND done_at < :e AND owner_id IS :o",
        p,
    )
    out["followups_done"], out["visits"] = done, visits
    out["contacts_logged"] = one(
        "SELECT count(*) FROM contact_log WHERE deleted = 0 AND at >= :s AND at < :e "
        "AND owner_id IS :o",
        p,
    )[0]
    out["new_customers"] = one(
        "SELECT count(*) FROM customer WHERE deleted = 0 AND created_at >= :s "
        "AND created_at < :e AND owner_id IS :o",
        p,
    )[0]
    out["deals_created"], out["deals_created_amount"] = one(
        f"SELECT count(*), {money} FROM opportunity WHERE deleted = 0 AND created_at >= :s "
        "AND created_at < :e AND owner_id IS :o",
        p,
    )
    out["deals_won"], out["deals_won_amount"] = one(
        f"SELECT count(*), {money} FROM opportunity WHERE deleted = 0 AND stage = 'won' "
        "AND closed_on >= :s AND closed_on < :e AND owner_id IS :o",
        days,
    )
    out["claims"], out["claims_amount"] = one(
        f"SELECT count(*), {money} FROM expense WHERE deleted = 0 AND spent_on >= :s "
        f"AND spent_on < :e AND status IN {CLAIMED_STATUSES} AND owner_id IS :o",
        days,
    )
    if _has_table(conn, "payment"):
        out["payments"], out["payments_amount"] = one(
            f"SELECT count(*), {money} FROM payment WHERE deleted = 0 AND received_on >= :s "
            "AND received_on < :e AND owner_id IS :o",
            days,
        )
    if _has_table(conn, "service"):  # after-sales (issue 15), where this file has it
        try:
            out["service_done"] = one(
                "SELECT count(*) FROM service WHERE deleted = 0 AND finished_at >= :s "
                "AND finished_at < :e AND (engineer_id IS :o OR owner_id IS :o)",
                p,
            )[0]
        except sqlite3.OperationalError:
            pass  # an older shape of the table: no figure rather than a wrong one
    return out


# --- contact-log statistics (联系统计) --------------------------------------------------
@dataclass(frozen=True)
class ContactStats:
    """Contacts in a period: by channel, by rep (owner id) and by local month."""

    total: int
    minutes: int
    by_channel: list[tuple[str, int, int]]  # channel, count, minutes
    by_rep: list[tuple[str | None, int, int]]  # owner id, count, minutes
    by_month: list[tuple[str, int]]  # YYYY-MM (UTC month of the stored time), count


def contact_stats(
    conn: sqlite3.Connection,
    *,
    start: date,
    end: date,
    clock: Clock,
    owner_id: str | None,
    team: bool,
) -> ContactStats:
    w = Window.of(start, end, clock)
    own = "" if team else " AND owner_id IS :o"
    p = {"o": owner_id, "s": w.start_ts, "e": w.end_ts}
    base = f"FROM contact_log WHERE deleted = 0 AND at >= :s AND at < :e{own}"
    total, minutes = conn.execute(
        f"SELECT count(*), coalesce(sum(minutes), 0) {base}", p
    ).fetchone()
    by_channel = conn.execute(
        f"SELECT channel, count(*), coalesce(sum(minutes), 0) {base} "
        "GROUP BY channel ORDER BY count(*) DESC, channel",
        p,
    ).fetchall()
    by_rep = conn.execute(
        f"SELECT owner_id, count(*), coalesce(sum(minutes), 0) {base} "
        "GROUP BY owner_id ORDER BY count(*) DESC, owner_id",
        p,
    ).fetchall()
    by_month = conn.execute(
        f"SELECT substr(at, 1, 7), count(*) {base} GROUP BY 1 ORDER BY 1", p
    ).fetchall()
    return ContactStats(total, minutes, by_channel, by_rep, by_month)


@dataclass(frozen=True)
class QuietCustomer:
    """A customer not contacted for longer than its grade allows."""

    id: str
    name: str
    grade: str
    last_at: datetime | None  # local; None: never contacted
    days: int | None  # whole days since, None when never


def quiet_customers(
    conn: sqlite3.Connection,
    *,
    clock: Clock,
    days_by_grade: dict[str, int],
    owner_id: str | None,
    team: bool,
    limit: int = 50,
) -> tuple[int, list[QuietCustomer]]:
    """Customers (not lost) of a graded kind whose last contact — a contact-log entry or a
    done follow-up — is older than their grade's days (or who were never contacted since
    being added that long ago); how many there are, and the `limit` quietest first."""
    if not days_by_grade:
        return 0, []
    today = clock.today()
    cut_params: dict[str, Any] = {"o": owner_id}
    cases = []
    for i, (grade, n) in enumerate(sorted(days_by_grade.items())):
        cut_params[f"g{i}"] = grade
        cut_params[f"c{i}"] = day_start_text(today - timedelta(days=n), clock)
        cases.append(f"WHEN :g{i} THEN :c{i}")
    own = "" if team else " AND c.owner_id IS :o"
    last = (
        "max(coalesce((SELECT max(l.at) FROM contact_log l WHERE l.customer_id = c.id "
        "AND l.deleted = 0), ''), coalesce((SELECT max(a.done_at) FROM activity a "
        "WHERE a.customer_id = c.id AND a.deleted = 0 AND a.done_at IS NOT NULL), ''))"
    )
    grades = ", ".join(f":g{i}" for i in range(len(days_by_grade)))
    # A customer never contacted counts from the day it was added: one added this week
    # is not "not contacted for 14 days" yet.
    sql = (
        f"SELECT c.id, c.name, c.grade, {last} AS last_at, c.created_at AS added "
        f"FROM customer c WHERE c.deleted = 0 AND c.status != 'lost' "
        f"AND c.grade IN ({grades}){own}"
    )
    since = "(CASE WHEN last_at = '' THEN added ELSE last_at END)"
    quiet = f"FROM ({sql}) AS q WHERE {since} < (CASE grade {' '.join(cases)} END)"
    count = conn.execute(f"SELECT count(*) {quiet}", cut_params).fetchone()[0]
    rows = conn.execute(
        f"SELECT id, name, grade, last_at {quiet} ORDER BY {since}, name LIMIT :n",
        cut_params | {"n": limit},
    ).fetchall()
    out = []
    for cid, name, grade, last_at in rows:
        when = clock.to_local(_parse(last_at)) if last_at else None
        since = (today - when.date()).days if when else None
        out.append(QuietCustomer(cid, name, grade, when, since))
    return count, out


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
