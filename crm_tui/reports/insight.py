"""Provides the two insight reports (issue 22), as report documents (charts on screen;
md/csv/html through reports/export.py):

- Segments: per RFM group its customers, share, lifetime value and value share, yearly
  value at risk and average risk; and how customers moved between groups since the month's
  first look (a snapshot kept locally by the first refresh of each month).
- Churn: customers lost in the period (lost deals and no win) with the competitor and
  reason, risk by segment and by owner, deals lost to each competitor, and the customers
  most at risk with their main reason.

Every figure is a plain SQL aggregate over the stored columns (storage/insight_queries.py).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date, datetime

from crm_tui.domain.insight import BY_KEY, SEGMENTS
from crm_tui.reports.model import Chart, Delta, Money, Pct, Report, Section
from crm_tui.reports.period import Period
from crm_tui.storage import insight_queries as q
from crm_tui.storage.insight_store import explain

TITLES = {"segments": "Customer segments (RFM)", "churn": "Churn and customers at risk"}
NO_GROUP = "(no purchases)"


class InsightReport(Report):
    @property
    def title(self) -> str:
        return TITLES[self.name]


LEGEND = (
    "重要 important: high monetary value; 一般 general: not. 价值 value: recent and frequent; "
    "发展 develop: recent, not frequent; 保持 keep: frequent, not recent; 挽留 win back: "
    "neither. High = quintile score 4 or 5."
)


def _label(key: str | None) -> str:
    found = BY_KEY.get(key or "")
    return found.chinese if found else NO_GROUP


def _pct(part: float, whole: float) -> Pct:
    return Pct(100.0 * part / whole if whole else None)


def segments_report(
    conn: sqlite3.Connection,
    period: Period,
    *,
    today: date,
    team: bool,
    currency: str,
    generated_at: datetime,
) -> InsightReport:
    rows = {r.segment: r for r in q.segments(conn, team)}
    customers = sum(r.customers for r in rows.values())
    value = sum(r.value for r in rows.values())
    table = []
    for key in [s.key for s in SEGMENTS] + [None]:
        r = rows.get(key)
        if r is None:
            r = q.SegmentRow(key, 0, 0, 0, 0.0)
        table.append(
            [
                _label(key),
                r.customers,
                _pct(r.customers, customers),
                Money(r.value),
                _pct(r.value, value),
                Money(r.at_risk),
                Pct(round(r.risk * 100, 1)),
            ]
        )
    report = InsightReport(
        "segments", period, "team" if team else "mine", currency, generated_at, []
    )
    report.sections.append(
        Section(
            "segments",
            "Segments",
            [
                "Segment",
                "Customers",
                "Share",
                "Lifetime value",
                "Value share",
                "At risk / yr",
                "Avg risk",
            ],
            table,
            Chart("bar", 0, 3),
            note=LEGEND,
        )
    )
    month = today.strftime("%Y-%m")
    before = q.snapshot(conn, month)
    now = q.current_segments(conn, team)
    if before is None:
        note = "No snapshot of this month's start yet: movement shows from next month."
        before = dict(now)
    else:
        note = f"Against the first refresh of {month}."
    moves: Counter[tuple[str | None, str | None]] = Counter()
    for cid, seg in now.items():
        was = before.get(cid)
        if was != seg:
            moves[(was, seg)] += 1
    movement = []
    for key in [s.key for s in SEGMENTS] + [None]:
        was = sum(1 for cid in now if before.get(cid) == key)
        is_now = sum(1 for seg in now.values() if seg == key)
        came = sum(n for (a, b), n in moves.items() if b == key)
        left = sum(n for (a, b), n in moves.items() if a == key)
        movement.append([_label(key), was, is_now, came, left, Delta(is_now - was)])
    report.sections.append(
        Section(
            "movement",
            "Movement since the month began",
            ["Segment", "Was", "Now", "In", "Out", "Change"],
            movement,
            Chart("bar", 0, 5),
            note=note,
        )
    )
    report.sections.append(
        Section(
            "moves",
            "Moves between segments",
            ["From → to", "Customers"],
            [[f"{_label(a)} → {_label(b)}", n] for (a, b), n in moves.most_common(12)],
        )
    )
    return report


def churn_report(
    conn: sqlite3.Connection,
    period: Period,
    *,
    clock: object,
    team: bool,
    currency: str,
    generated_at: datetime,
    top: int = 15,
) -> InsightReport:
    report = InsightReport("churn", period, "team" if team else "mine", currency, generated_at, [])
    lost = q.lost_in(conn, period.start, period.end, team)
    report.sections.append(
        Section(
            "lost",
            "Customers lost this period",
            ["Customer", "Owner", "Deals lost", "Amount", "Competitor", "Reason"],
            [
                [
                    r.customer,
                    r.owner or "",
                    r.deals,
                    Money(r.amount or 0),
                    r.competitor or "",
                    r.reason or "",
                ]
                for r in lost
            ],
            row_ids=[r.customer_id for r in lost],
            note="Customers whose deals were lost in the period and who bought nothing in it.",
        )
    )
    for what, title in (("segment", "Risk by segment"), ("owner", "Risk by owner")):
        rows = q.risk_by(conn, what, team)
        report.sections.append(
            Section(
                f"risk_{what}",
                title,
                [what.capitalize(), "At risk", "Avg risk", "Value at risk / yr"],
                [
                    [_label(k) if what == "segment" else k, n, Pct(round(r * 100, 1)), Money(v)]
                    for k, n, r, v in rows
                ],
                Chart("bar", 0, 3),
                note=f"Customers with a churn risk of {q.AT_RISK_MIN:.0%} or more.",
            )
        )
    rivals = q.lost_to(conn, period.start, period.end, team)
    report.sections.append(
        Section(
            "competitors",
            "Deals lost, by competitor",
            ["Competitor", "Deals", "Amount"],
            [[name, n, Money(amount or 0)] for name, n, amount in rivals],
            Chart("bar", 0, 2),
        )
    )
    at_risk = most_at_risk(conn, clock, team, top)
    report.sections.append(
        Section(
            "at_risk",
            "Most value at risk",
            ["Customer", "Segment", "Risk", "Value at risk / yr", "Main reason"],
            [row[1:] for row in at_risk],
            row_ids=[row[0] for row in at_risk],
        )
    )
    return report


def most_at_risk(conn: sqlite3.Connection, clock: object, team: bool, top: int) -> list[list]:
    where, params = q.scope(conn, team)
    rows = conn.execute(
        "SELECT c.id, c.name, c.segment, c.risk, c.value_at_risk FROM customer c "
        f"WHERE c.deleted = 0 AND c.risk >= ?{where} "
        "ORDER BY c.value_at_risk DESC, c.risk DESC, c.id LIMIT ?",
        (q.AT_RISK_MIN, *params, top),
    ).fetchall()
    out = []
    for cid, name, seg, risk, value in rows:
        found = explain(conn, clock, cid)  # type: ignore[arg-type]
        main = max(found.terms, key=lambda t: t.score).detail if found and found.terms else ""
        out.append([cid, name, _label(seg), Pct(round(risk * 100, 1)), Money(value), main])
    return out
