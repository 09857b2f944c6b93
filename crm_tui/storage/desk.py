"""Provides `load_desk`: everything today's desk shows, read with plain sqlite3, and its two
halves `read_first` (what the first frame shows) and `read_rest`.

The desk is the first screen, so it must not wait for SQLModel/SQLAlchemy (~0.45 s to
import): this module uses only `sqlite3` and the pure domain helpers, and each query runs
on an index (see migrations 0010/0011).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crm_tui.domain.dates import Clock, add_months, day_label, month_days
from crm_tui.domain.followup_rules import overdue_before
from crm_tui.domain.money import DEFAULT_CURRENCY, format_money
from crm_tui.storage.engine import connect

OPEN_STAGES = ("lead", "qualified", "proposal", "negotiation")
PANEL_PAGES = 4  # the overdue and closing panels scroll through 4 screenfuls, then "all N"
PER_DAY = 4  # the schedule's rows per day, so the whole week shows


@dataclass(frozen=True)
class DeskItem:
    """One line of the desk; `entity` + `id` name the record that `enter` opens."""

    entity: str
    id: str
    when: str
    text: str
    detail: str = ""
    customer_id: str | None = None


@dataclass(frozen=True)
class Figure:
    label: str
    this_month: str
    last_month: str
    up: bool | None  # None when equal


@dataclass
class Desk:
    today: date
    overdue: list[DeskItem] = field(default_factory=list)
    overdue_total: int = 0
    schedule: list[DeskItem] = field(default_factory=list)
    schedule_total: int = 0
    closing_total: int = 0
    birthdays: list[DeskItem] = field(default_factory=list)
    closing: list[DeskItem] = field(default_factory=list)
    recent: list[DeskItem] = field(default_factory=list)
    announcements: list[DeskItem] = field(default_factory=list)
    numbers: list[Figure] = field(default_factory=list)
    periods: tuple[str, str] = ("this month", "last month")  # the numbers' column heads
    complete: bool = True  # False for `read_first`'s desk: the other sections are not read yet


def _stamp(moment: datetime) -> str:
    """An aware datetime in the stored form: naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _parse(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def birthday_days(today: date, days: int = 7) -> list[str]:
    """'MM-DD' of today and the next `days` days."""
    return month_days(today, days + 1)


class _Reader:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, limit: int) -> None:
        self.conn = conn
        self.clock = clock
        self.limit = limit
        self.today = clock.today()
        self.now = clock.now()

    def _when(self, due: str | None, all_day: int) -> str:
        if due is None:
            return ""
        local = self.clock.to_local(_parse(due))
        day = local.date()
        if day == self.today:
            label = "today"
        elif day == self.today + timedelta(days=1):
            label = "tmrw"
        elif abs((day - self.today).days) < 7 and day > self.today:
            label = local.strftime("%a")
        else:
            label = day_label(day, self.today)
        return label if all_day else f"{label} {local:%H:%M}"

    def _activities(
        self, where: str, params: tuple, order: str, limit: int | None = None
    ) -> list[DeskItem]:
        sql = (
            "SELECT a.id, a.kind, a.subject, a.due_at, a.all_day, a.customer_id, c.name "
            "FROM activity a LEFT JOIN customer c ON c.id = a.customer_id "
            f"WHERE a.done_at IS NULL AND a.deleted = 0 AND {where} ORDER BY {order} LIMIT ?"
        )
        return [
            DeskItem(
                "activity", rid, self._when(due, all_day), f"{kind}: {subject}", name or "", cid
            )
            for rid, kind, subject, due, all_day, cid, name in self.conn.execute(
                sql, (*params, limit or self.limit)
            )
        ]

    def _count(self, sql: str, params: tuple) -> int:
        return int(self.conn.execute(sql, params).fetchone()[0])

    def overdue(self) -> tuple[list[DeskItem], int]:
        start = _stamp(overdue_before(self.clock))  # the one meaning of overdue
        items = self._activities(
            "a.due_at < ?", (start,), "a.due_at DESC, a.id DESC", self.limit * PANEL_PAGES
        )
        total = self._count(
            "SELECT count(*) FROM activity WHERE done_at IS NULL AND deleted = 0 AND due_at < ?",
            (start,),
        )
        return items, total

    def schedule(self, days: int = 7) -> tuple[list[DeskItem], int]:
        """Today and the next `days` days, at most PER_DAY a day so the later days show
        (a busy today used to fill the panel), and how many there are in all."""
        start = _stamp(self.clock.day_start_utc(self.today))
        end = _stamp(self.clock.day_start_utc(self.today + timedelta(days=days + 1)))
        where, params = "a.due_at >= ? AND a.due_at < ?", (start, end)
        total = self._count(
            "SELECT count(*) FROM activity a WHERE a.done_at IS NULL AND a.deleted = 0 "
            f"AND {where}",
            params,
        )
        items: list[DeskItem] = []
        for offset in range(days + 1):  # one indexed read per day, PER_DAY rows each
            lo = _stamp(self.clock.day_start_utc(self.today + timedelta(days=offset)))
            hi = _stamp(self.clock.day_start_utc(self.today + timedelta(days=offset + 1)))
            items += self._activities(where, (lo, hi), "a.due_at, a.id", PER_DAY)
        return items, total

    def birthdays(self) -> list[DeskItem]:
        days = birthday_days(self.today)
        marks = ",".join("?" * len(days))
        # Thousands of birthdays a week on a big book: order by day ahead and cut in SQL.
        rows = self.conn.execute(
            "SELECT b.kind, b.id, b.name, b.md, b.cid, "
            "CASE WHEN b.kind = 'contact' THEN c.name END FROM (SELECT * FROM ("
            "SELECT 'customer' AS kind, id, name, birthday_md AS md, id AS cid FROM customer "
            f"WHERE birthday IS NOT NULL AND deleted = 0 AND birthday_md IN ({marks}) "
            "UNION ALL SELECT 'contact', id, name, birthday_md, customer_id FROM contact "
            f"WHERE birthday IS NOT NULL AND deleted = 0 AND birthday_md IN ({marks}) "
            ") ORDER BY instr(?, md), name LIMIT ?) b LEFT JOIN customer c ON c.id = b.cid",
            (*days, *days, "|".join(days), self.limit),
        )
        items = []
        for entity, rid, name, md, cid, company in rows:
            ahead = days.index(md)
            day = self.today + timedelta(days=ahead)
            when = "today" if ahead == 0 else "tmrw" if ahead == 1 else f"{day:%a} {md}"
            items.append(DeskItem(entity, rid, when, name, company or "", cid))
        return items

    def closing(self, days: int = 14) -> list[DeskItem]:
        marks = ",".join("?" * len(OPEN_STAGES))
        end = (self.today + timedelta(days=days)).isoformat()
        rows = self.conn.execute(
            "SELECT o.id, o.title, o.expected_close, o.amount, o.currency, o.customer_id, "
            "c.name FROM opportunity o LEFT JOIN customer c ON c.id = o.customer_id "
            f"WHERE o.deleted = 0 AND o.stage IN ({marks}) AND o.expected_close >= ? "
            "AND o.expected_close <= ? ORDER BY o.expected_close, o.id LIMIT ?",
            (*OPEN_STAGES, self.today.isoformat(), end, self.limit * PANEL_PAGES),
        )
        return [
            # Amount and customer first, the deal's title after: a panel at 120 columns cut
            # the customer off, and titles repeat ("CRM license 482 units").
            DeskItem(
                "opportunity",
                rid,
                close[5:],
                f"{format_money(amount, cur)} {name or ''}".rstrip(),
                title,
                cid,
            )
            for rid, title, close, amount, cur, cid, name in rows
        ]

    def closing_total(self, days: int = 14) -> int:
        marks = ",".join("?" * len(OPEN_STAGES))
        return self._count(
            f"SELECT count(*) FROM opportunity WHERE deleted = 0 AND stage IN ({marks}) "
            "AND expected_close >= ? AND expected_close <= ?",
            (*OPEN_STAGES, self.today.isoformat(), (self.today + timedelta(days=days)).isoformat()),
        )

    def recent(self) -> list[DeskItem]:
        rows = list(
            self.conn.execute(
                "SELECT * FROM (SELECT 'customer', id, name, created_at, id, city FROM customer "
                "WHERE deleted = 0 ORDER BY created_at DESC LIMIT ?) UNION ALL "
                "SELECT * FROM (SELECT 'contact', t.id, t.name, t.created_at, t.customer_id, "
                "c.name FROM contact t LEFT JOIN customer c ON c.id = t.customer_id "
                "WHERE t.deleted = 0 ORDER BY t.created_at DESC LIMIT ?)",
                (self.limit, self.limit),
            )
        )
        rows.sort(key=lambda r: r[3], reverse=True)
        return [
            DeskItem(
                entity,
                rid,
                day_label(self.clock.to_local(_parse(created)).date(), self.today),
                name,
                detail or "",
                cid,
            )
            for entity, rid, name, created, cid, detail in rows[: self.limit]
        ]

    def announcements(self) -> list[DeskItem]:
        rows = self.conn.execute(
            "SELECT id, title, published_at FROM announcement WHERE deleted = 0 "
            "ORDER BY published_at DESC LIMIT 3"
        )
        return [
            DeskItem(
                "announcement",
                rid,
                day_label(self.clock.to_local(_parse(at)).date(), self.today) if at else "",
                title,
            )
            for rid, title, at in rows
        ]

    def numbers(self, currency: str) -> list[Figure]:
        """Month to date against the same days of last month (1 Dec-4 Dec vs 1 Nov-4 Nov),
        so the figures compare like with like, not a few days with a whole month."""
        som = self.today.replace(day=1)
        last_som = add_months(som, -1)
        # the same number of days into last month, cut at its end (31 March: all February)
        days = (self.today - som).days + 1
        last_end = min(last_som + timedelta(days=days), som)
        months = [(som, self.today + timedelta(days=1)), (last_som, last_end)]
        counted: list[list[int]] = []
        for start, end in months:
            lo = _stamp(self.clock.day_start_utc(start))
            hi = _stamp(self.clock.day_start_utc(end))
            done, visits = self.conn.execute(
                "SELECT count(*), coalesce(sum(kind = 'visit'), 0) FROM activity "
                "WHERE done_at IS NOT NULL AND deleted = 0 AND done_at >= ? AND done_at < ?",
                (lo, hi),
            ).fetchone()
            new = self.conn.execute(
                "SELECT count(*) FROM customer WHERE created_at >= ? AND created_at < ? "
                "AND deleted = 0",
                (lo, hi),
            ).fetchone()[0]
            won = self.conn.execute(
                "SELECT coalesce(sum(amount), 0) FROM opportunity WHERE stage = 'won' "
                "AND deleted = 0 AND currency = ? AND closed_on >= ? AND closed_on < ?",
                (currency, start.isoformat(), end.isoformat()),
            ).fetchone()[0]
            counted.append([done, visits, new, won])
        labels = ("Follow-ups done", "Visits", "New customers", "Amount won")
        figures = []
        for i, label in enumerate(labels):
            now, before = counted[0][i], counted[1][i]
            show = (lambda v: format_money(v, currency)) if i == 3 else "{:,}".format
            figures.append(
                Figure(label, show(now), show(before), None if now == before else now > before)
            )
        return figures


def month_to_date(today: date) -> tuple[str, str]:
    """The heads of the numbers' columns: "1-4 Dec" and "1-4 Nov"."""
    som = today.replace(day=1)
    last_som = add_months(som, -1)
    last_day = min(last_som + timedelta(days=(today - som).days), som - timedelta(days=1))
    return f"1–{today.day} {today:%b}", f"1–{last_day.day} {last_som:%b}"


def read_first(path: Path | str, clock: Clock, *, limit: int = 8) -> Desk:
    """The figures a rep looks at first: overdue, today and the week, this month. The desk's
    first frame shows these; `read_rest` adds the other sections after it."""
    conn = connect(path, readonly=True)
    try:
        return _first(conn, clock, limit)
    finally:
        conn.close()


def read_rest(path: Path | str, clock: Clock, first: Desk, *, limit: int = 8) -> Desk:
    """`first` with the sections it left out (birthdays, deals closing, recently added,
    announcements)."""
    conn = connect(path, readonly=True)
    try:
        return _rest(conn, clock, first, limit)
    finally:
        conn.close()


def load_desk(path: Path | str, clock: Clock, *, limit: int = 8) -> Desk:
    """Read the desk from the database file at `path` (read-only; the ORM need not be loaded)."""
    conn = connect(path, readonly=True)
    try:
        return _rest(conn, clock, _first(conn, clock, limit), limit)
    finally:
        conn.close()


def _first(conn: sqlite3.Connection, clock: Clock, limit: int) -> Desk:
    reader = _Reader(conn, clock, limit)
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'currency'").fetchone()
    currency = (row[0] if row and row[0] else None) or DEFAULT_CURRENCY
    overdue, total = reader.overdue()
    schedule, schedule_total = reader.schedule()
    return Desk(
        today=reader.today,
        overdue=overdue,
        overdue_total=total,
        schedule=schedule,
        schedule_total=schedule_total,
        numbers=reader.numbers(currency),
        periods=month_to_date(reader.today),
        complete=False,
    )


def _rest(conn: sqlite3.Connection, clock: Clock, first: Desk, limit: int) -> Desk:
    reader = _Reader(conn, clock, limit)
    return replace(
        first,
        closing_total=reader.closing_total(),
        birthdays=reader.birthdays(),
        closing=reader.closing(),
        recent=reader.recent(),
        announcements=reader.announcements(),
        complete=True,
    )
