"""Provides the quick read commands: `crm remind` without Typer or SQLAlchemy, for a shell
start-up file (issue 20: ≤ 100 ms with nothing due).

`remind_lines` gives exactly the lines the full `crm remind` prints (cli/query.py over
services/reminders.py); `QuickUnavailable` means "take the full path" (a missing or
unmigrated book, a bad --now, a read error), which then says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crm_tui.domain import rules
from crm_tui.domain.dates import Clock, month_days
from crm_tui.storage import quick_reads
from crm_tui.storage.quick_reads import NotQuick

LABELS = {"followup": "follow-up", "birthday": "birthday", "deal": "deal"}
NOTIFY_SHOWN = 5  # reminders named in a desktop notification; the rest are counted


class QuickUnavailable(Exception):
    """The quick path cannot answer; run the full command instead."""


@dataclass(frozen=True)
class Due:
    """One reminder as `crm remind` prints it."""

    kind: str  # followup | birthday | deal
    row_id: str
    title: str
    detail: str

    def line(self) -> str:
        return f"{self.title}" + (f" — {self.detail}" if self.detail else "")

    def printed(self) -> str:
        return f"{LABELS[self.kind]:<9}  {self.row_id[:8]}  {self.line()}"


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


def due_now(path: Path, clock: Clock, *, deal_days: int, birthday_days: int) -> list[Due]:
    """What `crm remind` lists, in its order: follow-ups, birthdays, deals closing."""
    from crm_tui.domain.money import format_money

    now = clock.now()
    today = clock.to_local(now).date()
    try:
        conn = quick_reads.open_current(path)
    except NotQuick as exc:
        raise QuickUnavailable(str(exc)) from exc
    try:
        followups = quick_reads.followups_due(conn, _stamp(now))
        window = month_days(today, birthday_days)
        born = [
            (table, row)
            for table in ("customer", "contact")
            for row in quick_reads.birthdays_on(conn, table, window)
        ]
        stages = [s.value for s in rules.OPEN_STAGES]
        deals = quick_reads.deals_closing(
            conn, stages, (today + timedelta(days=deal_days)).isoformat()
        )
    except Exception as exc:  # noqa: BLE001 - any read problem: the full path reports it
        raise QuickUnavailable(str(exc)) from exc
    finally:
        conn.close()
    out: list[Due] = []
    for row_id, subject, kind, _remind_at, due_at, all_day, customer in followups:
        when = ""
        if due_at:
            local = clock.to_local(_moment(due_at))
            when = f"due {local:%Y-%m-%d}" + ("" if all_day else f" {local:%H:%M}")
        detail = ", ".join(p for p in (kind, customer, when) if p)
        out.append(Due("followup", row_id, subject, detail))
    birthdays: list[tuple[date, str, Due]] = []
    for _table, (row_id, name, md) in born:
        offset = window.index(md)
        day = today + timedelta(days=offset)
        detail = "birthday today" if offset == 0 else f"birthday {day:%a %m-%d}"
        birthdays.append((day, name, Due("birthday", row_id, name, detail)))
    birthdays.sort(key=lambda b: (b[0], b[1]))
    out += [b[2] for b in birthdays]
    for row_id, title, close, amount, currency, stage in deals:
        day = date.fromisoformat(close)
        late = " (past its date)" if day < today else ""
        detail = f"{stage}, {format_money(amount, currency)}, closes {day:%Y-%m-%d}{late}"
        out.append(Due("deal", row_id, title, detail))
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
