"""Provides report periods: a month, quarter or year, parsed from what a rep types.

`2026-11`, `2026-Q4`, `2026`, `this-month`, `last-month`, `this-quarter`, `last-quarter`,
`this-year`, `last-year`. A period is a half-open range of local dates [start, end) and
steps by its own length (`[`/`]` in the screen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from crm_tui.domain.dates import add_months


class PeriodError(ValueError):
    pass


_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?[qQ]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    unit: str  # month | quarter | year
    start: date  # first day
    end: date  # first day after

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls("month", start, add_months(start, 1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = date(year, 3 * (quarter - 1) + 1, 1)
        return cls("quarter", start, add_months(start, 3))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", date(year, 1, 1), date(year + 1, 1, 1))

    @classmethod
    def containing(cls, day: date, unit: str = "month") -> Period:
        if unit == "year":
            return cls.year(day.year)
        if unit == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.month(day.year, day.month)

    def shift(self, steps: int) -> Period:
        months = _MONTHS[self.unit] * steps
        return Period(self.unit, add_months(self.start, months), add_months(self.end, months))

    def previous(self) -> Period:
        return self.shift(-1)

    @property
    def label(self) -> str:
        if self.unit == "year":
            return f"{self.start.year}"
        if self.unit == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def __str__(self) -> str:
        return self.label


def parse_period(text: str | None, today: date) -> Period:
    """The period a rep typed; empty means this month."""
    raw = (text or "").strip().lower()
    if raw in ("", "this-month", "month", "thismonth"):
        return Period.containing(today)
    relative = {
        "last-month": ("month", -1),
        "this-quarter": ("quarter", 0),
        "quarter": ("quarter", 0),
        "last-quarter": ("quarter", -1),
        "this-year": ("year", 0),
        "year": ("year", 0),
        "last-year": ("year", -1),
    }
    if raw in relative:
        unit, step = relative[raw]
        return Period.containing(today, unit).shift(step)
    if m := _MONTH_RE.match(raw):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period.month(year, month)
    elif m := _QUARTER_RE.match(raw):
        return Period.quarter(int(m.group(1)), int(m.group(2)))
    elif m := _YEAR_RE.match(raw):
        return Period.year(int(m.group(1)))
    raise PeriodError(
        f"'{text}' is not a period (try 2026-11, 2026-Q4, 2026, this-month or last-month)"
    )
