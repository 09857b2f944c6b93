"""Provides the service statistics report (服务统计, issue 15): orders by kind and status,
average days to close, hours and costs by customer, engineer and kind, the customers'
ratings, and repeat faults (a repair for the same customer within 90 days of the last).

Figures are SQL on a plain sqlite3 connection (no ORM). An order belongs to the period by
its planned start (else the day it was made); "mine" is what the user made or was sent to.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from crm_tui.domain.dates import Clock
from crm_tui.domain.service_rules import REPEAT_DAYS
from crm_tui.reports.model import Chart, Days, Money, Pct, Report, Section
from crm_tui.reports.period import Period

TITLE = "Service statistics"
_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a UTC datetime in SQLite


class ServiceReport(Report):
    """A Report whose title is its own (the built-in reports' titles are a table)."""

    @property
    def title(self) -> str:
        return TITLE


def scope_sql(owner_id: str | None, team: bool) -> tuple[str, dict[str, str | None]]:
    """The orders a report counts: the team's, or the user's own and those sent to them."""
    if team:
        return "1 = 1", {}
    return (
        "(s.owner_id IS :me OR s.owner_id IS NULL OR s.engineer_id IS :me)",
        {"me": owner_id},
    )


def in_period_sql(clock: Clock, period: Period) -> tuple[str, dict[str, str]]:
    lo = clock.day_start_utc(period.start).strftime(_STAMP)
    hi = clock.day_start_utc(period.end).strftime(_STAMP)
    return (
        "COALESCE(s.planned_start, s.created_at) >= :lo AND COALESCE(s.planned_start, "
        "s.created_at) < :hi",
        {"lo": lo, "hi": hi},
    )


def _where(clock: Clock, period: Period, owner_id: str | None, team: bool) -> tuple[str, dict]:
    scope, a = scope_sql(owner_id, team)
    window, b = in_period_sql(clock, period)
    return f"s.deleted = 0 AND {scope} AND {window}", a | b


_COST = "(s.parts_cost + s.travel_cost + s.other_cost)"


def _grouped(conn: sqlite3.Connection, label: str, join: str, where: str, args: dict) -> list:
    sql = (
        f"SELECT {label} AS k, COUNT(*), "
        "SUM(s.status IN ('done', 'closed')), COALESCE(SUM(s.minutes), 0), "
        f"COALESCE(SUM({_COST}), 0), AVG(s.rating) "
        f"FROM service s {join} WHERE {where} GROUP BY k ORDER BY COUNT(*) DESC, k"
    )
    return conn.execute(sql, args).fetchall()


def _rows(found: list) -> list[list]:
    return [
        [str(k or "(none)"), n, done, round(minutes / 60, 1), Money(cost), _rating(avg)]
        for k, n, done, minutes, cost, avg in found
    ]


def _rating(avg: float | None) -> str:
    return "" if avg is None else f"{avg:.1f}"


_GROUP_COLUMNS = ["", "Orders", "Done", "Hours", "Cost", "Rating"]


# Days from the request to the close (or the finish). It starts at the earlier of the
# order's creation and its dispatch request: every done order was requested, and finish and
# close come after the request on the same clock (the server stamps all three), so the span
# is not negative even when created_at is later than the history (an import, the demo, a
# laptop's clock); MAX(0, …) guards the one case left, stamps of two laptops offline.
_CLOSE_DAYS = (
    "MAX(0.0, julianday(COALESCE(s.closed_at, s.finished_at)) - COALESCE("
    "MIN(julianday(s.created_at), julianday(s.requested_at)), julianday(s.requested_at), "
    "julianday(s.created_at)))"
)


def build(
    conn: sqlite3.Connection,
    period: Period,
    *,
    clock: Clock,
    currency: str,
    owner_id: str | None,
    team: bool,
    generated_at: datetime,
) -> ServiceReport:
    where, args = _where(clock, period, owner_id, team)
    report = ServiceReport("service", period, "team" if team else "mine", currency, generated_at)
    total, done, minutes, cost, rated, avg_rating, close_days = conn.execute(
        "SELECT COUNT(*), SUM(s.status IN ('done', 'closed')), COALESCE(SUM(s.minutes), 0), "
        f"COALESCE(SUM({_COST}), 0), COUNT(s.rating), AVG(s.rating), "
        f"AVG(CASE WHEN s.status IN ('done', 'closed') THEN {_CLOSE_DAYS} END) "
        f"FROM service s WHERE {where}",
        args,
    ).fetchone()
    report.sections.append(
        Section(
            "overview",
            "Overview",
            ["", "Value"],
            [
                ["Orders", total or 0],
                ["Done or closed", done or 0],
                ["Share done", Pct(None if not total else 100.0 * (done or 0) / total)],
                ["Days to close (average)", Days(close_days)],
                ["Hours", str(round((minutes or 0) / 60, 1))],
                ["Cost", Money(cost or 0)],
                ["Ratings", rated or 0],
                ["Rating (average)", _rating(avg_rating)],
            ],
        )
    )
    by_status = conn.execute(
        f"SELECT s.status, COUNT(*) FROM service s WHERE {where} GROUP BY s.status "
        "ORDER BY COUNT(*) DESC, s.status",
        args,
    ).fetchall()
    report.sections.append(
        Section(
            "by_status",
            "Orders by status",
            ["Status", "Orders"],
            [[str(k).replace("_", " "), n] for k, n in by_status],
            chart=Chart("bar"),
        )
    )
    for key, title, label, join in (
        ("by_kind", "By kind", "s.kind", ""),
        ("by_engineer", "By engineer", "COALESCE(u.name, s.engineer_id)",
         "LEFT JOIN user u ON u.id = s.engineer_id"),
        ("by_customer", "By customer", "COALESCE(c.name, s.customer_id)",
         "LEFT JOIN customer c ON c.id = s.customer_id"),
    ):  # fmt: skip
        rows = _rows(_grouped(conn, label, join, where, args))
        report.sections.append(
            Section(
                key,
                title,
                [title.removeprefix("By ").capitalize(), *_GROUP_COLUMNS[1:]],
                rows[:12],
                chart=Chart("bar", value=4),
            )  # fmt: skip
        )
    ratings = dict(
        conn.execute(
            f"SELECT s.rating, COUNT(*) FROM service s WHERE {where} AND s.rating IS NOT NULL "
            "GROUP BY s.rating",
            args,
        ).fetchall()
    )
    report.sections.append(
        Section(
            "ratings",
            "Customer ratings",
            ["Rating", "Orders"],
            [["★" * r, ratings.get(r, 0)] for r in range(5, 0, -1)],
            chart=Chart("bar"),
        )
    )
    report.sections.append(_repeats(conn, where, args))
    return report


def _repeats(conn: sqlite3.Connection, where: str, args: dict) -> Section:
    """Repairs of the period that came within REPEAT_DAYS of an earlier repair for the
    same customer (the earlier one may be before the period)."""
    sql = (
        "SELECT c.name, s.number, date(p.planned_start), date(s.planned_start), "
        "CAST(julianday(s.planned_start) - julianday(p.planned_start) AS INTEGER), s.customer_id "
        "FROM service s JOIN service p ON p.customer_id = s.customer_id AND p.id != s.id "
        "AND p.deleted = 0 AND p.kind = 'repair' AND p.status != 'cancelled' "
        "AND p.planned_start < s.planned_start "
        "AND julianday(s.planned_start) - julianday(p.planned_start) <= :days "
        "LEFT JOIN customer c ON c.id = s.customer_id "
        f"WHERE {where} AND s.kind = 'repair' AND s.status != 'cancelled' "
        "AND p.planned_start = (SELECT MAX(q.planned_start) FROM service q WHERE "
        "q.customer_id = s.customer_id AND q.deleted = 0 AND q.kind = 'repair' AND "
        "q.status != 'cancelled' AND q.planned_start < s.planned_start) "
        "ORDER BY s.planned_start"
    )
    found = conn.execute(sql, args | {"days": REPEAT_DAYS}).fetchall()
    return Section(
        "repeats",
        f"Repeat faults (a repair within {REPEAT_DAYS} days of the last)",
        ["Customer", "Order", "Last repair", "This repair", "Days"],
        [[name or "", number or "", a, b, days] for name, number, a, b, days, _ in found],
        row_ids=[cid for *_, cid in found],
    )
