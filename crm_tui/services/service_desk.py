"""Provides what the desk and the reminders show of after-sales service (issue 15): the
engineer's visits for today (and any dispatched visit already late), and, for a manager,
the dispatch requests waiting for approval. Plain sqlite3, read-only: the desk calls it
before the ORM loads; an older file without the table gives nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.domain.permissions import is_manager
from crm_tui.storage import service_quick
from crm_tui.storage.engine import connect


@dataclass(frozen=True)
class Visit:
    id: str
    number: str
    subject: str
    kind: str
    status: str
    planned: datetime | None
    customer_id: str
    customer: str
    engineer: str

    def when(self, clock: Clock) -> str:
        if self.planned is None:
            return ""
        local = clock.to_local(self.planned)
        if local.date() < clock.today():
            return f"{(clock.today() - local.date()).days}d late"
        return local.strftime("%H:%M") if local.date() == clock.today() else f"{local:%m-%d}"


@dataclass(frozen=True)
class ServiceDesk:
    visits: list[Visit]
    waiting: list[Visit]
    waiting_total: int


def _visit(row: tuple) -> Visit:
    planned = row[5]
    moment = None
    if planned:
        moment = datetime.fromisoformat(str(planned)).replace(tzinfo=UTC)
    return Visit(row[0], row[1] or "", row[2], row[3], row[4], moment, *row[6:9])


def desk(path: Path | str, clock: Clock, *, limit: int = 8) -> ServiceDesk:
    """Today's visits of the signed-in engineer; for a manager, the waiting requests."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return ServiceDesk([], [], 0)
    try:
        me, role = service_quick.who(conn)
        end_of_today = clock.day_start_utc(clock.today() + timedelta(days=1))
        visits = [_visit(r) for r in service_quick.visits_by(conn, me, end_of_today, limit)]
        waiting: list[Visit] = []
        total = 0
        if is_manager(role):
            rows, total = service_quick.waiting(conn, me, limit)
            waiting = [_visit(r) for r in rows]
        return ServiceDesk(visits, waiting, total)
    except sqlite3.OperationalError:
        return ServiceDesk([], [], 0)  # not migrated to 0080 yet
    finally:
        conn.close()


def due_on(
    conn: sqlite3.Connection, clock: Clock, now: datetime | None = None, within_minutes: int = 60
) -> list[Visit]:
    """`due_visits` on an open connection (`crm remind`'s fast path; raises sqlite3 errors)."""
    me, _ = service_quick.who(conn)
    until = (now or clock.now()) + timedelta(minutes=within_minutes)
    rows = service_quick.visits_by(conn, me, until, 20)
    return [_visit(r) for r in rows if r[4] == "approved" and r[5]]


def due_visits(
    path: Path | str, clock: Clock, now: datetime | None = None, *, within_minutes: int = 60
) -> list[Visit]:
    """The engineer's dispatched visits starting within the next hour (or late, not yet
    started): what a reminder says."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return []
    try:
        return due_on(conn, clock, now, within_minutes)
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()
