"""Provides what is due now and what is coming: the in-app notifier, `crm remind` and
`crm agenda`.

Due now: follow-ups whose reminder time has passed and that are not done (snoozing moves the
reminder time, so a snoozed one drops out until then), birthdays of customers and contacts
in the next days, open deals expected to close soon, and instalments of a payment plan
from `remind_days` before their due date until they are settled. "Shown once" is kept in the local
`reminder_shown` table; its key includes the reminder time, so a snoozed follow-up shows
again when it comes due anew.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from crm_tui.domain import rules
from crm_tui.domain.dates import day_label as day_label
from crm_tui.domain.dates import month_days
from crm_tui.domain.followup_rules import overdue_before

if TYPE_CHECKING:
    from crm_tui.services.book import Book

SNOOZE_CHOICES = ("15m", "1h", "tomorrow")
INTERVAL_KEY = "reminders.interval"  # a local setting: seconds between the app's checks
DEFAULT_INTERVAL = 30.0
DEFAULT_DEAL_DAYS = 7
DEFAULT_BIRTHDAY_DAYS = 7


@dataclass(frozen=True)
class Reminder:
    """One thing to remind the rep of; `key` identifies this occurrence (shown once)."""

    kind: str  # followup | birthday | deal | instalment
    entity: str
    row_id: str
    title: str
    when: datetime | date
    detail: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.row_id}:{self.when.isoformat()}"

    def line(self) -> str:
        return f"{self.title}" + (f" — {self.detail}" if self.detail else "")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _moment(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def followups_due(book: Book, now: datetime | None = None) -> list[Reminder]:
    """Open follow-ups whose reminder time is at or before `now`, oldest first."""
    now = now or book.clock.now()
    sql = text(
        "SELECT a.id, a.subject, a.kind, a.remind_at, a.due_at, a.all_day, c.name "
        "FROM activity a LEFT JOIN customer c ON c.id = a.customer_id "
        "WHERE a.deleted = 0 AND a.done_at IS NULL AND a.remind_at IS NOT NULL "
        "AND a.remind_at <= :now ORDER BY a.remind_at, a.id"
    )
    with book.db.reading() as s:
        rows = s.connection().execute(sql, {"now": _stamp(now)}).all()
    out = []
    for row_id, subject, kind, remind_at, due_at, all_day, customer in rows:
        due = _moment(due_at) if due_at else None
        when = ""
        if due is not None:
            local = book.clock.to_local(due)
            when = f"due {local:%Y-%m-%d}" + ("" if all_day else f" {local:%H:%M}")
        detail = ", ".join(p for p in (kind, customer, when) if p)
        out.append(Reminder("followup", "activity", row_id, subject, _moment(remind_at), detail))
    return out


def birthdays_soon(
    book: Book, days: int = DEFAULT_BIRTHDAY_DAYS, today: date | None = None
) -> list[Reminder]:
    """Customers and contacts whose birthday falls in the next `days` days (today included)."""
    today = today or book.clock.today()
    window = month_days(today, days)
    marks = ",".join(f":d{i}" for i in range(len(window)))
    params = {f"d{i}": md for i, md in enumerate(window)}
    out = []
    with book.db.reading() as s:
        conn = s.connection()
        for table in ("customer", "contact"):
            rows = conn.execute(
                text(
                    f"SELECT id, name, birthday_md FROM {table} WHERE birthday IS NOT NULL "
                    f"AND deleted = 0 AND birthday_md IN ({marks})"
                ),
                params,
            ).all()
            for row_id, name, md in rows:
                offset = window.index(md)
                day = today + timedelta(days=offset)
                detail = (
                    "birthday today"
                    if offset == 0
                    else f"birthday {day_label(day, today, weekday=True)}"
                )
                out.append(Reminder("birthday", table, row_id, name, day, detail))
    return sorted(out, key=lambda r: (r.when, r.title))


def deals_closing(
    book: Book, days: int = DEFAULT_DEAL_DAYS, today: date | None = None
) -> list[Reminder]:
    """Open deals expected to close within `days` days (or already past their date)."""
    from crm_tui.domain.money import format_money

    today = today or book.clock.today()
    last = today + timedelta(days=days)
    stages = ",".join(f"'{s.value}'" for s in rules.OPEN_STAGES)
    sql = text(
        "SELECT id, title, expected_close, amount, currency, stage FROM opportunity "
        f"WHERE deleted = 0 AND stage IN ({stages}) AND expected_close IS NOT NULL "
        "AND expected_close <= :last ORDER BY expected_close, id"
    )
    with book.db.reading() as s:
        rows = s.connection().execute(sql, {"last": last.isoformat()}).all()
    out = []
    for row_id, title, close, amount, currency, stage in rows:
        day = date.fromisoformat(close)
        late = " (past its date)" if day < today else ""
        detail = f"{stage}, {format_money(amount, currency)}, closes {day:%Y-%m-%d}{late}"
        out.append(Reminder("deal", "opportunity", row_id, title, day, detail))
    return out


def instalments_due(book: Book, today: date | None = None) -> list[Reminder]:
    """Open instalments whose reminder day (due_on - remind_days) has come, overdue ones
    included, earliest due first (issue 19; storage/plan_reminders.py)."""
    from crm_tui.storage import plan_reminders

    today = today or book.clock.today()
    with book.db.reading() as s:
        sql = text(plan_reminders.SQL)
        rows = s.connection().execute(sql, plan_reminders.params(today)).all()
    return _instalment_reminders(rows, today)


def instalments_before(book: Book, until: date, today: date) -> list[Reminder]:
    """Open instalments due before `until`, overdue ones included (the agenda's)."""
    from crm_tui.storage import plan_reminders

    with book.db.reading() as s:
        sql = text(plan_reminders.DUE_SQL)
        rows = s.connection().execute(sql, {"until": until.isoformat()}).all()
    return _instalment_reminders(rows, today)


def _instalment_reminders(rows: Any, today: date) -> list[Reminder]:
    from crm_tui.domain.instalment_reminders import instalment_reminder

    out = []
    for row_id, n, number, customer, left, amount, currency, due_on in rows:
        day = date.fromisoformat(str(due_on)[:10])
        line = instalment_reminder(n, number, customer, left, amount, currency, day, today)
        out.append(Reminder("instalment", "payment_plan", row_id, line, day))
    return out


def reports_due(book: Book) -> list[Reminder]:
    """Work reports due now by the team's rule and not submitted (issue 17): "today's
    daily report not written", its draft's id when there is one (else '-')."""
    from crm_tui.services.office_reminders import reports_due as office_due

    return [Reminder("report", "work_report", *due) for due in office_due(book.path, book.clock)]


def pool_warnings(book: Book) -> list[Reminder]:
    """The rep's customers going to the pool soon (issue 18: services/pool_soon.py)."""
    from crm_tui.services import pool_soon

    found = pool_soon.going_to_pool(book.path, book.clock)
    return [
        Reminder(
            "pool",
            "customer",
            x.customer_id,
            x.name,
            x.release_at.date(),
            pool_soon.reminder_detail(x),
        )
        for x in found
    ]


def service_visits(book: Book, now: datetime | None = None) -> list[Reminder]:
    """Dispatched service visits of this engineer starting within the hour, or late
    (issue 15: services/service_desk.py)."""
    from crm_tui.services import service_desk

    found = service_desk.due_visits(book.path, book.clock, now)
    return [
        Reminder("service", "service", v.id, f"{v.number} {v.subject}", v.planned, v.customer)
        for v in found
        if v.planned is not None
    ]


def campaigns_soon(book: Book) -> list[Reminder]:
    """The rep's campaigns starting today or tomorrow (issue 16: services/campaign_desk.py)."""
    from crm_tui.services import campaign_desk
    from crm_tui.services.quick import campaign_detail  # the quick path's text, not a copy

    found = campaign_desk.starting_soon(book.path, book.clock, book.user_id)
    return [
        Reminder("campaign", "campaign", c.id, c.name, c.starts_on, campaign_detail(c.registered))
        for c in found
    ]


def due_now(
    book: Book,
    now: datetime | None = None,
    *,
    deal_days: int = DEFAULT_DEAL_DAYS,
    birthday_days: int = DEFAULT_BIRTHDAY_DAYS,
) -> list[Reminder]:
    """Everything to remind the rep of at `now`: follow-ups, birthdays, deals closing,
    instalments coming due, work reports not written."""
    now = now or book.clock.now()
    today = book.clock.to_local(now).date()
    return (
        followups_due(book, now)
        + birthdays_soon(book, birthday_days, today)
        + deals_closing(book, deal_days, today)
        + instalments_due(book, today)
        + reports_due(book)
        + pool_warnings(book)
        + service_visits(book, now)
        + campaigns_soon(book)
    )


def unshown(book: Book, reminders: list[Reminder]) -> list[Reminder]:
    """The reminders this laptop has not shown yet."""
    if not reminders:
        return []
    with book.db.reading() as s:
        seen = set(s.connection().execute(text("SELECT key FROM reminder_shown")).scalars())
    return [r for r in reminders if r.key not in seen]


def mark_shown(book: Book, reminders: list[Reminder]) -> None:
    if not reminders:
        return
    stamp = _stamp(book.clock.now())
    with book.db.transaction() as s:
        s.connection().execute(
            text("INSERT OR IGNORE INTO reminder_shown(key, shown_at) VALUES (:k, :t)"),
            [{"k": r.key, "t": stamp} for r in reminders],
        )


def snooze_until(book: Book, choice: str, now: datetime | None = None) -> datetime:
    """When a snooze choice ends: 15m, 1h, or tomorrow at 09:00 local."""
    now = now or book.clock.now()
    if choice == "15m":
        return now + timedelta(minutes=15)
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        return book.clock.at_local(book.clock.to_local(now).date() + timedelta(days=1), time(9, 0))
    raise ValueError(f"'{choice}' is not a snooze (one of {', '.join(SNOOZE_CHOICES)})")


def snooze(book: Book, row_id: str, choice: str) -> datetime:
    """Move a follow-up's reminder (through the repository, so it syncs and can be undone)."""
    until = snooze_until(book, choice)
    book.db.repos.activities.update(row_id, {"remind_at": until})
    return until


@dataclass(frozen=True)
class AgendaItem:
    kind: str
    row_id: str
    time: str  # "09:30", "all day", or "" for birthdays and deals
    title: str
    detail: str


def agenda(book: Book, days: int = 7) -> dict[date, list[AgendaItem]]:
    """Today and the next `days` days (day `days` included, as on the desk) by local day:
    follow-ups due (open), deals closing, birthdays, instalments due.

    Overdue open follow-ups (followup_rules.overdue_before) are listed under today, marked.
    """
    clock = book.clock
    today = clock.today()
    end = clock.day_start_utc(today + timedelta(days=days + 1))
    start = overdue_before(clock)
    sql = text(
        "SELECT a.id, a.subject, a.kind, a.due_at, a.all_day, c.name FROM activity a "
        "LEFT JOIN customer c ON c.id = a.customer_id WHERE a.deleted = 0 AND "
        "a.done_at IS NULL AND a.due_at IS NOT NULL AND a.due_at < :end "
        "ORDER BY a.due_at, a.id"
    )
    by_day: dict[date, list[AgendaItem]] = defaultdict(list)
    with book.db.reading() as s:
        rows = s.connection().execute(sql, {"end": _stamp(end)}).all()
    for row_id, subject, kind, due_at, all_day, customer in rows:
        due = _moment(due_at)
        local = clock.to_local(due)
        overdue = due < start
        day = today if overdue else local.date()
        at = "all day" if all_day else f"{local:%H:%M}"
        detail = ", ".join(p for p in (kind, customer) if p)
        if overdue:
            detail += f", overdue since {day_label(local.date(), today)}"
        by_day[day].append(AgendaItem("followup", row_id, at, subject, detail))
    owed = instalments_before(book, today + timedelta(days=days + 1), today)  # issue 19
    for rem in deals_closing(book, days, today) + birthdays_soon(book, days + 1, today) + owed:
        day = rem.when if isinstance(rem.when, date) else rem.when.date()
        by_day[max(day, today)].append(AgendaItem(rem.kind, rem.row_id, "", rem.title, rem.detail))
    return dict(sorted(by_day.items()))


def interval(book: Book) -> float:
    """Seconds between the app's reminder checks: the `reminders.interval` setting (at least
    one second), else 30."""
    raw = book.db.state(INTERVAL_KEY)
    try:
        return max(1.0, float(raw)) if raw else DEFAULT_INTERVAL
    except ValueError:
        return DEFAULT_INTERVAL
