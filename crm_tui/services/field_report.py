"""Provides the field-work report (issue 18) for the reports screen and `crm report field`:
visit check-ins per rep per day (time spent, open and flagged ones) and each month's
figures against its targets, for a period, the rep's own or (managers) the team's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_tui.domain.dates import add_months
from crm_tui.domain.money import DEFAULT_CURRENCY
from crm_tui.reports import targets as target_report
from crm_tui.reports.export import render as render
from crm_tui.reports.model import Chart, Money, Pct, Report, Section
from crm_tui.reports.period import Period
from crm_tui.reports.visits import visit_days
from crm_tui.storage.engine import connect

if TYPE_CHECKING:
    from crm_tui.services.book import Book

TITLE = "Field work (拜访与目标)"
NOT_TEAM = "only a manager can see the team's visits and targets"


class FieldReport(Report):
    @property
    def title(self) -> str:
        return TITLE


def build(book: Book, period: Period, *, team: bool = False) -> FieldReport:
    """Visits and targets in `period`. Raises PermissionError when a rep asks for the team."""
    if team and not book.actor.manager:
        raise PermissionError(NOT_TEAM)
    me = book.user_id
    names = {v: k for k, v in book.db.repos.users.members().items()}
    currency = book.input_context.currency or DEFAULT_CURRENCY
    conn = connect(book.path, readonly=True)
    try:
        days = visit_days(conn, book.clock, period.start, period.end, None if team else me)
        who: list[tuple[str, str | None]] = [("team", None)]
        if team:
            rows = conn.execute(
                "SELECT DISTINCT user_id FROM target WHERE deleted = 0 AND user_id IS NOT NULL "
                "AND month >= ? AND month < ?",
                (f"{period.start:%Y-%m}", f"{period.end:%Y-%m}"),
            ).fetchall()
            who = [(names.get(r[0], r[0]), r[0]) for r in rows] + who
        elif me is not None:
            who = [(names.get(me, "me"), me), *who]
        target_rows = []
        month = period.start
        while month < period.end:
            for label, uid in who:
                for line in target_report.lines(conn, book.clock, month, uid, currency):
                    if line.target is None:
                        continue
                    cell = Money if line.money else int
                    share = None if line.share is None else round(100 * line.share, 1)
                    target_rows.append(
                        [
                            f"{month:%Y-%m}",
                            label,
                            line.label,
                            cell(line.actual),
                            cell(line.target),
                            Pct(share),
                            None if line.pace is None else cell(line.pace),
                        ]
                    )
            month = add_months(month, 1)
    finally:
        conn.close()
    visits = Section(
        "visits",
        "Visits per rep per day",
        ["Day", "Rep", "Visits", "Minutes", "Open", "Flagged"],
        [
            [
                d.day.isoformat(),
                names.get(d.owner_id or "", d.owner_id or "me"),
                d.visits,
                d.minutes,
                d.open,
                d.flagged,
            ]
            for d in days
        ],
        chart=Chart("bar", label=0, value=2),
        note="flagged: checked in more than 1 km from the customer's coordinates",
    )
    goals = Section(
        "targets",
        "Against the targets",
        ["Month", "Who", "Figure", "Done", "Target", "Reached", "Needed per day"],
        target_rows,
        note=None if target_rows else "no targets set in this period (crm targets set)",
    )
    return FieldReport(
        name="field",
        period=period,
        scope="team" if team else "mine",
        currency=currency,
        generated_at=book.clock.now(),
        sections=[visits, goals],
    )
