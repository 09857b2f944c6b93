"""Provides `crm agenda` as text without Typer or SQLAlchemy (issue 20): the same items as
services/reminders.py's `agenda` (follow-ups due, overdue ones under today, deals closing,
birthdays, instalments), read with plain sqlite3. The table is one screen: of each kind on
each day (overdue follow-ups apart) the first `SHOWN`, then "… and N more"; the full
command prints it with `table_text` too, so the two cannot drift. JSON lists every item.
tests/speed/test_quick_agenda.py checks both against services/reminders.py's agenda."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crm_tui.domain.dates import Clock, day_label, month_days
from crm_tui.services.quick_book import quick_book
from crm_tui.storage import quick_reads

Item = tuple[str, str, str, str, str]  # kind, row id, time ("09:30", "all day", ""), title, detail
SHOWN = 10  # items of one kind on one day in the table; the rest are counted
# The "… and N more" line's words per group (kind; "overdue": overdue follow-ups).
MORE = {
    "overdue": "overdue follow-ups (crm query followups status:overdue)",
    "followup": "follow-ups",
    "deal": "deals closing",
    "birthday": "birthdays",
    "instalment": "payments due",
}


_READ_ERRORS = (sqlite3.Error, ValueError)  # a bad stored value: the full path words it


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def agenda_text(path: Path, clock: Clock, days: int, fmt: str = "table") -> str:
    """What `crm agenda --days DAYS [--format table|json]` prints."""
    if fmt != "json":
        return table_text(path, clock, days)
    with quick_book(path, _READ_ERRORS) as conn:
        plan = _agenda(conn, clock, days)
    import json  # cli/query.py: asdict(AgendaItem) | {"day": ...}, through emit()

    keys = ("kind", "row_id", "time", "title", "detail")
    rows = [
        dict(zip(keys, item, strict=True)) | {"day": day.isoformat()}
        for day, items in plan.items()
        for item in items
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"


def table_text(path: Path, clock: Clock, days: int) -> str:
    """What `crm agenda --days DAYS` prints as a table (the quick path and cli/query.py)."""
    with quick_book(path, _READ_ERRORS) as conn:
        plan = _screen(conn, clock, days)
    today = clock.today()
    if not plan:
        return f"Nothing scheduled in the next {days} day{'s' if days > 1 else ''}.\n"
    lines = []
    for day, groups in plan.items():
        label = "Today" if day == today else "Tomorrow" if (day - today).days == 1 else ""
        lines.append(f"{day:%a %Y-%m-%d}" + (f"  {label}" if label else ""))
        for group, items, total in groups:
            for _kind, _id, at, title, detail in items:
                lines.append(f"  {at:<7}  {title}" + (f"  · {detail}" if detail else ""))
            if total > len(items):
                lines.append(f"  … and {total - len(items):,} more {MORE[group]}")
    return "".join(line + "\n" for line in lines)


Group = tuple[str, list[Item], int]  # group, the items shown, how many in all


def _screen(conn: sqlite3.Connection, clock: Clock, days: int) -> dict[date, list[Group]]:
    """`_agenda`'s days, each kind on each day cut to its first SHOWN items (index seeks:
    a day of thousands of follow-ups costs what a day of ten does)."""
    from crm_tui.domain import rules
    from crm_tui.domain.followup_rules import overdue_before

    today = clock.today()
    start = overdue_before(clock)
    plan: dict[date, list[Group]] = defaultdict(list)

    def followups(group: str, lo: str, hi: str, day: date) -> None:
        rows, total = quick_reads.followups_between(conn, lo, hi, SHOWN)
        if rows:
            plan[day].append((group, [_followup(clock, start, today, r) for r in rows], total))

    followups("overdue", "", _stamp(start), today)  # '' sorts before every stored time
    for n in range(days + 1):
        day = today + timedelta(days=n)
        lo = _stamp(max(clock.day_start_utc(day), start))
        followups("followup", lo, _stamp(clock.day_start_utc(day + timedelta(days=1))), day)
    stages = [s.value for s in rules.OPEN_STAGES]
    for n in range(days + 1):
        day = today + timedelta(days=n)
        first = "" if n == 0 else day.isoformat()  # under today: those past their date too
        rows, total = quick_reads.deals_on(conn, stages, first, day.isoformat(), SHOWN)
        if rows:
            plan[day].append(("deal", [_deal(today, r) for r in rows], total))
    window = month_days(today, days + 1)
    for md in dict.fromkeys(window):  # a day's first place in the window (--days > 365)
        day = today + timedelta(days=window.index(md))
        found, total = [], 0
        for table in ("customer", "contact"):
            rows, n = quick_reads.birthdays_of(conn, table, md, SHOWN)
            found += rows
            total += n
        found.sort(key=lambda r: r[1])  # customers first among equal names, as _birthdays
        items = [_birthday(today, day, row_id, name) for row_id, name in found[:SHOWN]]
        if items:
            plan[day].append(("birthday", items, total))
    owed: dict[date, list[Item]] = defaultdict(list)
    until = today + timedelta(days=days + 1)
    for day, kind, row_id, title, detail in _instalments(conn, today, until):
        owed[max(day, today)].append((kind, row_id, "", title, detail))
    for day, items in owed.items():
        plan[day].append(("instalment", items[:SHOWN], len(items)))
    return {day: _in_order(groups) for day, groups in sorted(plan.items())}


_ORDER = ("overdue", "followup", "deal", "birthday", "instalment")


def _in_order(groups: list[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: _ORDER.index(g[0]))


def _followup(clock: Clock, start: datetime, today: date, row: quick_reads.Row) -> Item:
    row_id, subject, kind, due_at, all_day, customer = row
    due = _moment(due_at)
    local = clock.to_local(due)
    at = "all day" if all_day else f"{local:%H:%M}"
    detail = ", ".join(p for p in (kind, customer) if p)
    if due < start:
        detail += f", overdue since {day_label(local.date(), today)}"
    return ("followup", row_id, at, subject, detail)


def _deal(today: date, row: quick_reads.Row) -> Item:
    from crm_tui.domain.money import format_money

    row_id, title, close, amount, currency, stage = row
    day = date.fromisoformat(close)
    late = " (past its date)" if day < today else ""
    detail = f"{stage}, {format_money(amount, currency)}, closes {day:%Y-%m-%d}{late}"
    return ("deal", row_id, "", title, detail)


def _birthday(today: date, day: date, row_id: str, name: str) -> Item:
    detail = "birthday today" if day == today else f"birthday {day_label(day, today, weekday=True)}"
    return ("birthday", row_id, "", name, detail)


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
