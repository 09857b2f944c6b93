"""Provides `crm agenda` as text without Typer or SQLAlchemy (issue 20): the same items as
services/reminders.py's `agenda` (follow-ups due, overdue ones under today, deals closing,
birthdays, instalments), read with plain sqlite3 and printed as cli/query.py prints them.
tests/speed/test_quick_agenda.py compares both paths' output byte for byte."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crm_tui.domain.dates import Clock, day_label, month_days
from crm_tui.services.quick import QuickUnavailable
from crm_tui.storage import quick_reads

Item = tuple[str, str, str, str, str]  # kind, row id, time ("09:30", "all day", ""), title, detail


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def agenda_text(path: Path, clock: Clock, days: int, fmt: str = "table") -> str:
    """What `crm agenda --days DAYS [--format table|json]` prints."""
    try:
        conn = quick_reads.open_current(path)
    except quick_reads.NotQuick as exc:
        raise QuickUnavailable(str(exc)) from exc
    try:
        plan = _agenda(conn, clock, days)
    except (sqlite3.Error, ValueError) as exc:
        raise QuickUnavailable(str(exc)) from exc
    finally:
        conn.close()
    if fmt == "json":  # cli/query.py: asdict(AgendaItem) | {"day": ...}, through emit()
        import json

        keys = ("kind", "row_id", "time", "title", "detail")
        rows = [
            dict(zip(keys, item, strict=True)) | {"day": day.isoformat()}
            for day, items in plan.items()
            for item in items
        ]
        return json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"
    today = clock.today()
    if not plan:
        return f"Nothing scheduled in the next {days} day{'s' if days > 1 else ''}.\n"
    lines = []
    for day, items in plan.items():
        label = "Today" if day == today else "Tomorrow" if (day - today).days == 1 else ""
        lines.append(f"{day:%a %Y-%m-%d}" + (f"  {label}" if label else ""))
        for _kind, _id, at, title, detail in items:
            lines.append(f"  {at:<7}  {title}" + (f"  · {detail}" if detail else ""))
    return "".join(line + "\n" for line in lines)


def _agenda(conn: sqlite3.Connection, clock: Clock, days: int) -> dict[date, list[Item]]:
    """services/reminders.py's `agenda`, item for item."""
    from crm_tui.domain import rules
    from crm_tui.domain.followup_rules import overdue_before
    from crm_tui.domain.money import format_money

    today = clock.today()
    end = clock.day_start_utc(today + timedelta(days=days + 1))
    start = overdue_before(clock)
    by_day: dict[date, list[Item]] = defaultdict(list)
    for row_id, subject, kind, due_at, all_day, customer in quick_reads.followups_before(
        conn, _stamp(end)
    ):
        due = _moment(due_at)
        local = clock.to_local(due)
        overdue = due < start
        day = today if overdue else local.date()
        at = "all day" if all_day else f"{local:%H:%M}"
        detail = ", ".join(p for p in (kind, customer) if p)
        if overdue:
            detail += f", overdue since {day_label(local.date(), today)}"
        by_day[day].append(("followup", row_id, at, subject, detail))
    later: list[tuple[date, str, str, str, str]] = []
    stages = [s.value for s in rules.OPEN_STAGES]
    last = (today + timedelta(days=days)).isoformat()
    for row_id, title, close, amount, currency, stage in quick_reads.deals_closing(
        conn, stages, last
    ):
        day = date.fromisoformat(close)
        late = " (past its date)" if day < today else ""
        detail = f"{stage}, {format_money(amount, currency)}, closes {day:%Y-%m-%d}{late}"
        later.append((day, "deal", row_id, title, detail))
    later += _birthdays(conn, today, days + 1)
    later += _instalments(conn, today, today + timedelta(days=days + 1))
    for day, kind, row_id, title, detail in later:
        by_day[max(day, today)].append((kind, row_id, "", title, detail))
    return dict(sorted(by_day.items()))


def _birthdays(
    conn: sqlite3.Connection, today: date, days: int
) -> list[tuple[date, str, str, str, str]]:
    window = month_days(today, days)
    out = []
    for table in ("customer", "contact"):
        for row_id, name, md in quick_reads.birthdays_on(conn, table, window):
            offset = window.index(md)
            day = today + timedelta(days=offset)
            detail = (
                "birthday today"
                if offset == 0
                else f"birthday {day_label(day, today, weekday=True)}"
            )
            out.append((day, "birthday", row_id, name, detail))
    return sorted(out, key=lambda b: (b[0], b[3]))


def _instalments(
    conn: sqlite3.Connection, today: date, until: date
) -> list[tuple[date, str, str, str, str]]:
    from crm_tui.domain.instalment_reminders import instalment_reminder
    from crm_tui.storage import plan_reminders

    rows = conn.execute(plan_reminders.DUE_SQL, {"until": until.isoformat()}).fetchall()
    out = []
    for row_id, n, number, customer, left, amount, currency, due_on in rows:
        day = date.fromisoformat(str(due_on)[:10])
        line = instalment_reminder(n, number, customer, left, amount, currency, day, today)
        out.append((day, "instalment", row_id, line, ""))
    return out
