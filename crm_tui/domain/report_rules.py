"""Provides the work reports' periods and the team's due rule (issue 17) without the field
registry: `crm remind`, the desk and the reminders read only these, so they load no more
than this module (work_report_specs re-exports every name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


class OfficeError(ValueError):
    """A rule refused an input; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


# --- periods ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportPeriod:
    """The days a report covers: [start, end) and the label a rep reads and types."""

    kind: str
    start: date
    end: date
    label: str


def period_of(kind: str, day: date) -> ReportPeriod:
    """The period of `kind` that contains `day`: the day, its ISO week, its month."""
    if kind == "daily":
        return ReportPeriod(kind, day, day + timedelta(days=1), day.isoformat())
    if kind == "weekly":
        start = day - timedelta(days=day.weekday())
        year, week, _ = day.isocalendar()
        return ReportPeriod(kind, start, start + timedelta(days=7), f"{year}-W{week:02d}")
    if kind == "monthly":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return ReportPeriod(kind, start, end, f"{day.year}-{day.month:02d}")
    raise OfficeError("kind", f"'{kind}' is not one of daily, weekly, monthly")


def parse_period(kind: str, text: str | None, today: date) -> ReportPeriod:
    """`text` as a period of `kind`: empty or 'today' = the current one, 'last' = the one
    before, an ISO date = the one containing it, or the label itself (2026-W48, 2026-11)."""
    text = (text or "").strip().lower()
    current = period_of(kind, today)
    if text in ("", "today", "this"):
        return current
    if text in ("last", "yesterday", "previous"):
        return period_of(kind, current.start - timedelta(days=1))
    week = re.fullmatch(r"(\d{4})-w(\d{1,2})", text)
    try:
        if week:
            return period_of(kind, date.fromisocalendar(int(week[1]), int(week[2]), 1))
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return period_of(kind, date.fromisoformat(text + "-01"))
        return period_of(kind, date.fromisoformat(text))
    except ValueError:
        pass
    raise OfficeError("period", f"'{text}' is not a period (a date, 2026-W48, 2026-11 or last)")


# --- the team's due rule ---------------------------------------------------------------
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekdays(text: str) -> frozenset[int]:
    """'mon-fri', 'mon,wed,fri', '1-5' or 'fri' -> weekday numbers (Monday = 0)."""

    def one(typed: str) -> int:
        word = typed.strip().lower()
        if word.isdigit() and 1 <= int(word) <= 7:
            return int(word) - 1
        for i, day in enumerate(_DAYS):  # mon, monday, Mon.
            if word[:3] == day and _FULL[i].startswith(word.rstrip(".")):
                return i
        raise OfficeError("weekdays", f"'{typed.strip()}' is not a weekday (mon … sun or 1-7)")

    days: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, dash, last = part.partition("-")
        a = one(first)
        b = one(last) if dash else a
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    if not days:
        raise OfficeError("weekdays", "name at least one weekday (mon-fri)")
    return frozenset(days)


def format_weekdays(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{_DAYS[ordered[0]]}-{_DAYS[ordered[-1]]}"
    return ",".join(_DAYS[d] for d in ordered)


def parse_due_by(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise OfficeError("due_by", f"'{text}' is not a time of day such as 18:00") from None


@dataclass(frozen=True)
class DueRule:
    """A kind of report due on some weekdays by a time of day (local)."""

    kind: str
    weekdays: frozenset[int]
    by: time


# Until a manager sets one: the daily report on weekdays by 18:00.
DEFAULT_RULES = (DueRule("daily", frozenset(range(5)), time(18, 0)),)


def not_written_text(p: ReportPeriod) -> str:
    """ "today's daily report not written (2026-11-23)": the desk's and reminders' line."""
    word = {"daily": "today's", "weekly": "this week's", "monthly": "this month's"}[p.kind]
    return f"{word} {p.kind} report not written ({p.label})"


def overdue_kinds(rules: tuple[DueRule, ...], now: datetime) -> list[ReportPeriod]:
    """The periods whose report is due today and past its time (`now` local)."""
    return [
        period_of(rule.kind, now.date())
        for rule in rules
        if now.weekday() in rule.weekdays and now.time() >= rule.by
    ]
