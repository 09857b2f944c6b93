"""Provides what is going to the pool soon (issue 18): the rep's customers inside their
warning window, computed on this laptop with the team's pool rules — the same rules the
server's release pass applies — so the desk and `crm remind` are right offline too.

Plain sqlite3 (storage/pool_quick.py): the desk and `crm remind` call it before the ORM loads.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.domain.pool_rules import days_left, release_at, warn_from
from crm_tui.storage import pool_quick
from crm_tui.storage.engine import connect


@dataclass(frozen=True)
class Leaving:
    customer_id: str
    name: str
    release_at: datetime
    days_left: int

    @property
    def when(self) -> str:
        if self.days_left <= 0:
            return "due now"
        return "tomorrow" if self.days_left == 1 else f"in {self.days_left} days"


def going_on(
    conn: sqlite3.Connection, clock: Clock, *, user_id: str | None = None, limit: int = 50
) -> list[Leaving]:
    """`going_to_pool` on an open connection (raises sqlite3 errors: `crm remind`'s quick
    path then takes the full one)."""
    me = user_id or pool_quick.user_id(conn)
    if me is None:
        return []
    team = pool_quick.rules(conn)
    now = clock.now().astimezone(UTC)
    out = []
    for cid, name, standing in pool_quick.standings(conn, me, now, team):
        warn = warn_from(team, standing)
        if warn is None or warn > now:
            continue
        when = release_at(team, standing)
        if when is not None:
            out.append(Leaving(cid, name, when, days_left(when, now)))
    out.sort(key=lambda x: (x.release_at, x.name))
    return out[:limit]


def going_to_pool(
    path: Path | str, clock: Clock, *, user_id: str | None = None, limit: int = 50
) -> list[Leaving]:
    """Soonest first; [] when signed out, or on a file not migrated to 0110 yet."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return []
    try:
        return going_on(conn, clock, user_id=user_id, limit=limit)
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def reminder_detail(x: Leaving) -> str:
    """What `crm remind` says of a customer going to the pool."""
    return f"goes to the pool {x.when} ({x.release_at:%Y-%m-%d}); follow up to keep it"
