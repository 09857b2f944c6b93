"""Provides the quick read commands: `crm remind` without Typer or SQLAlchemy, for a shell
start-up file (issue 20: ≤ 100 ms with nothing due).

`remind_lines` gives exactly the lines the full `crm remind` prints (cli/query.py over
services/reminders.py); `QuickUnavailable` means "take the full path" (a missing or
unmigrated book, a bad --now, a read error), which then says what is wrong.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crm_tui.domain.dates import Clock, month_days
from crm_tui.storage import quick_reads
from crm_tui.storage.quick_reads import NotQuick

LABELS = {"followup": "follow-up", "birthday": "birthday", "deal": "deal", "instalment": "payment"}
LABELS["report"] = "report"  # issue 17: a work report due and not written
LABELS["pool"] = "pool"  # issue 18: one of the rep's customers going to the pool soon
LABELS["service"] = "service"  # issue 15: a dispatched service visit starting soon
LABELS["campaign"] = "campaign"  # issue 16: one of the rep's campaigns starting soon
SHORT_MIN = 6  # services/short_ids.py's MIN_LENGTH (that module loads SQLAlchemy)
_BATCH = 400
NOTIFY_SHOWN = 5  # reminders named in a desktop notification; the rest are counted


class QuickUnavailable(Exception):
    """The quick path cannot answer; run the full command instead."""


@dataclass(frozen=True)
class Due:
    """One reminder as `crm remind` prints it."""

    kind: str  # a LABELS key: followup | birthday | deal | instalment | report | ...
    row_id: str
    title: str
    detail: str

    def line(self) -> str:
        return f"{self.title}" + (f" — {self.detail}" if self.detail else "")


def campaign_detail(registered: int) -> str:
    """A campaign reminder's detail (both paths: services/reminders.py campaigns_soon)."""
    return f"{registered} registered"


def printed(due: list[Due], shorts: dict[str, str]) -> list[str]:
    """The lines `crm remind` prints: kind, short id (padded to the longest), the line."""
    width = max((len(s) for s in shorts.values()), default=0)
    return [f"{LABELS[d.kind]:<9}  {shorts[d.row_id]:<{width}}  {d.line()}" for d in due]


def _common(a: str | None, b: str) -> int:
    n = 0
    for x, y in zip(a or "", b, strict=False):
        if x != y:
            break
        n += 1
    return n


def short_ids(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    """id -> its shortest prefix no other record shares (>= SHORT_MIN), as
    services/short_ids.py computes it (same tables: every entity's)."""
    from crm_tui.storage.quick_schema import registry  # entity names are the table names

    wanted = sorted(set(ids))
    longest = dict.fromkeys(wanted, 0)
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        for row_id, before, after in quick_reads.id_neighbours(conn, list(registry()), batch):
            longest[row_id] = max(longest[row_id], _common(before, row_id), _common(after, row_id))
    return {i: i[: max(SHORT_MIN, n + 1)] for i, n in longest.items()}


def clock_for(now: str | None) -> Clock:
    """The clock `--now` / CRM_NOW asks for (as cli/context.py reads it)."""
    clock = Clock()
    if not now:
        return clock
    try:
        moment = datetime.fromisoformat(now)
    except ValueError:
        raise QuickUnavailable("--now is not an ISO date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.zone)
    return Clock(fixed=moment)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _moment(value: str | datetime) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def remind_lines(
    path: Path, clock: Clock, *, deal_days: int, birthday_days: int
) -> tuple[list[Due], list[str]]:
    """What `crm remind` lists, in its order (follow-ups, birthdays, deals closing,
    instalments, reports, pool, service visits, campaigns: services/reminders.py due_now),
    and the lines it prints."""
    # Here, not at the top: `crm list` (services/quick_list.py) shares this module.
    from crm_tui.domain import rules
    from crm_tui.services import campaign_desk, office_reminders, pool_soon, service_desk
    from crm_tui.storage import plan_reminders, pool_quick

    now = clock.now()
    today = clock.to_local(now).date()
    window = month_days(today, birthday_days)
    try:
        conn = quick_reads.open_current(path)
    except NotQuick as exc:
        raise QuickUnavailable(str(exc)) from exc
    try:
        followups = quick_reads.followups_due(conn, _stamp(now))
        born = [
            row
            for table in ("customer", "contact")
            for row in quick_reads.birthdays_on(conn, table, window)
        ]
        stages = [s.value for s in rules.OPEN_STAGES]
        last = (today + timedelta(days=deal_days)).isoformat()
        deals = quick_reads.deals_closing(conn, stages, last)
        due = _followups(clock, followups) + _birthdays(today, window, born) + _deals(today, deals)
        due += _instalments(today, plan_reminders.instalments_to_remind(conn, today))
        due += [Due("report", *r[:2], r[3]) for r in office_reminders.reports_due_on(conn, clock)]
        due += [
            Due("pool", x.customer_id, x.name, pool_soon.reminder_detail(x))
            for x in pool_soon.going_on(conn, clock)
        ]
        due += [  # issue 15: services/service_desk.py
            Due("service", v.id, f"{v.number} {v.subject}", v.customer)
            for v in service_desk.due_on(conn, clock, now)
        ]
        due += [  # issue 16: as reminders.campaigns_soon, for the signed-in rep
            Due("campaign", c.id, c.name, campaign_detail(c.registered))
            for c in campaign_desk.starting_soon(path, clock, pool_quick.user_id(conn))
        ]
        shorts = short_ids(conn, [d.row_id for d in due]) if due else {}
    except Exception as exc:  # noqa: BLE001 - any read problem: the full path reports it
        raise QuickUnavailable(str(exc)) from exc
    finally:
        conn.close()
    return due, printed(due, shorts)


def _followups(clock: Clock, rows: list[quick_reads.Row]) -> list[Due]:
    out = []
    for row_id, subject, kind, _remind_at, due_at, all_day, customer in rows:
        when = ""
        if due_at:
            local = clock.to_local(_moment(due_at))
            when = f"due {local:%Y-%m-%d}" + ("" if all_day else f" {local:%H:%M}")
        detail = ", ".join(p for p in (kind, customer, when) if p)
        out.append(Due("followup", row_id, subject, detail))
    return out


def _birthdays(today: date, window: list[str], rows: list[quick_reads.Row]) -> list[Due]:
    found: list[tuple[date, str, Due]] = []
    for row_id, name, md in rows:  # customers first, then contacts; the sort is stable
        offset = window.index(md)
        day = today + timedelta(days=offset)
        detail = "birthday today" if offset == 0 else f"birthday {day:%a %m-%d}"
        found.append((day, name, Due("birthday", row_id, name, detail)))
    found.sort(key=lambda b: (b[0], b[1]))
    return [b[2] for b in found]


def _deals(today: date, rows: list[quick_reads.Row]) -> list[Due]:
    from crm_tui.domain.money import format_money

    out = []
    for row_id, title, close, amount, currency, stage in rows:
        day = date.fromisoformat(close)
        late = " (past its date)" if day < today else ""
        detail = f"{stage}, {format_money(amount, currency)}, closes {day:%Y-%m-%d}{late}"
        out.append(Due("deal", row_id, title, detail))
    return out


def _instalments(today: date, rows: list[quick_reads.Row]) -> list[Due]:
    from crm_tui.domain.instalment_reminders import instalment_reminder

    out = []
    for row_id, n, number, customer, left, amount, currency, due_on in rows:
        day = date.fromisoformat(str(due_on)[:10])
        line = instalment_reminder(n, number, customer, left, amount, currency, day, today)
        out.append(Due("instalment", row_id, line, ""))
    return out


def notify_text(due: list[Due]) -> tuple[str, str]:
    """(title, body) of the desktop notification for `due` (non-empty)."""
    body = "\n".join(d.line() for d in due[:NOTIFY_SHOWN]) + (
        f"\n… and {len(due) - NOTIFY_SHOWN} more" if len(due) > NOTIFY_SHOWN else ""
    )
    return f"crm: {len(due)} reminder{'s' if len(due) > 1 else ''}", body


def notify(title: str, body: str) -> None:
    """A desktop notification where the OS offers one; silently nothing elsewhere."""
    import shutil  # only when something is due: the quick path stays light
    import subprocess
    import sys

    try:
        if shutil.which("notify-send"):
            subprocess.run(["notify-send", "-a", "crm", title, body], check=False, timeout=5)
        elif sys.platform == "darwin" and shutil.which("osascript"):
            script = f"display notification {body!r} with title {title!r}"
            subprocess.run(["osascript", "-e", script], check=False, timeout=5)
    except (OSError, subprocess.SubprocessError):
        pass
