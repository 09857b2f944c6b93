"""Provides what is going to the pool soon (issue 18): the rep's customers inside their
warning window, computed on this laptop with the team's pool rules — the same rules the
server's release pass applies — so the desk and `crm remind` are right offline too.

Plain sqlite3 (storage/pool_quick.py): the desk and `crm remind` call it before the ORM loads.
"""

from __future__ import annotations

import bisect
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
    path then takes the full one).

    Walks the rep's customers by a lower bound of their release time (pool_quick.soonest)
    and runs the rules on each one met, stopping once the next bound is past both the
    warning window and the `limit`-th found: a few dozen customers read, however many the
    rep owns."""
    me = user_id or pool_quick.user_id(conn)
    if me is None or limit <= 0:
        return []
    team = pool_quick.rules(conn)
    now = clock.now().astimezone(UTC)
    every = [team.for_grade(None), *team.by_grade.values()]
    horizon = now + timedelta(days=max(r.warn_days for r in every))
    found: list[tuple[datetime, str, str]] = []  # (release, name, id), kept sorted
    seen: set[str] = set()
    for bound, cid in pool_quick.soonest(conn, me, team):
        if bound > horizon or (len(found) >= limit and bound > found[limit - 1][0]):
            break  # no customer left can be in its window or sort before the last kept
        if cid in seen:
            continue
        seen.add(cid)
        got = pool_quick.standing_of(conn, cid, me)
        if got is None:
            continue
        name, standing = got
        warn = warn_from(team, standing)
        if warn is None or warn > now:
            continue
        when = release_at(team, standing)
        if when is not None:
            bisect.insort(found, (when, name, cid))
    return [Leaving(cid, name, when, days_left(when, now)) for when, name, cid in found[:limit]]


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
