"""Provides the contact report (联系统计, issue 17): contacts in a period by channel and by
rep, by month, and the customers not contacted for their grade's number of days.

The figures come in already counted (storage/office_queries.py, one SQL aggregate each);
this module only lays them out as a `Report` (terminal charts, md / csv / html).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from crm_tui.reports.model import Chart, Report, Section
from crm_tui.reports.period import Period

TITLE = "Contacts"


class ContactReport(Report):
    """A Report whose title is its own (the built-in reports' titles are a table)."""

    @property
    def title(self) -> str:
        return TITLE


def build(
    *,
    period: Period,
    team: bool,
    currency: str,
    generated_at: datetime,
    total: int,
    minutes: int,
    by_channel: Sequence[tuple[str, int, int]],
    by_rep: Sequence[tuple[str, int, int]],
    by_month: Sequence[tuple[str, int]],
    quiet_total: int,
    quiet: Sequence[tuple[str, str, str, date | None, int | None]],
    quiet_rule: dict[str, int],
) -> ContactReport:
    """`quiet`: (customer id, name, grade, last contact day or None, days since or None)."""
    sections = [
        Section(
            "channels",
            f"Contacts by channel ({total}, {minutes} min)",
            ["channel", "contacts", "minutes"],
            [[channel, n, mins] for channel, n, mins in by_channel],
            chart=Chart("bar"),
        ),
    ]
    if team:
        sections.append(
            Section(
                "reps",
                "Contacts by rep",
                ["rep", "contacts", "minutes"],
                [[rep, n, mins] for rep, n, mins in by_rep],
                chart=Chart("bar"),
            )
        )
    if len(by_month) > 1:
        sections.append(
            Section(
                "months", "Contacts by month", ["month", "contacts"], [list(r) for r in by_month]
            )
        )
    rule = ", ".join(f"{grade} {days}d" for grade, days in sorted(quiet_rule.items()))
    rows: list[list[Any]] = [
        [name, grade, last.isoformat() if last else "never", since if since is not None else ""]
        for _id, name, grade, last, since in quiet
    ]
    sections.append(
        Section(
            "cold",  # the screen's openable table: enter opens the customer
            f"Not contacted for too long ({rule})",
            ["customer", "grade", "last contact", "days"],
            rows,
            note=f"{quiet_total} customer(s); the quietest {len(rows)} shown",
            row_ids=[row[0] for row in quiet],
        )
    )
    return ContactReport(
        name="contacts",
        period=period,
        scope="team" if team else "mine",
        currency=currency,
        generated_at=generated_at,
        sections=sections,
    )
