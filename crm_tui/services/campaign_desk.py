"""Provides the desk's "Campaigns this week" and the reminders of campaigns starting soon
(issue 16): plain sqlite3, read-only, no ORM (the desk paints before SQLAlchemy loads), each
campaign with who is registered and who came so far."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from crm_tui.domain.dates import Clock
from crm_tui.storage.engine import connect

_RUNNING_SQL = """
SELECT c.id, c.name, c.starts_on, COALESCE(c.ends_on, c.starts_on), c.status,
    COALESCE(c.place, ''),
    (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = c.id AND m.deleted = 0
        AND m.status IN ('registered', 'attended', 'no_show')),
    (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = c.id AND m.deleted = 0
        AND m.status = 'attended')
FROM campaign c
WHERE c.deleted = 0 AND c.status != 'cancelled' AND c.starts_on <= :last
    AND COALESCE(c.ends_on, c.starts_on) >= :first {mine}
ORDER BY c.starts_on, c.id LIMIT :limit
"""
# Unowned campaigns (a never-signed-in book writes them) are "mine", as in the reports.
_MINE = "AND (c.owner_id IS :me OR c.owner_id IS NULL)"


@dataclass(frozen=True)
class WeekCampaign:
    id: str
    name: str
    starts_on: date
    ends_on: date
    status: str
    place: str
    registered: int
    attended: int


def _running(path: Path | str, params: dict[str, Any], mine: bool) -> list[WeekCampaign]:
    """Campaigns running on some day from :first to :last. An older file without the
    tables gives none."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return []
    try:
        rows = conn.execute(_RUNNING_SQL.format(mine=_MINE if mine else ""), params).fetchall()
    except sqlite3.OperationalError:
        return []  # not migrated to 0090 yet
    finally:
        conn.close()
    return [
        WeekCampaign(cid, name, date.fromisoformat(s), date.fromisoformat(e), st, place, reg, came)
        for cid, name, s, e, st, place, reg, came in rows
    ]


def this_week(path: Path | str, clock: Clock, limit: int = 6) -> list[WeekCampaign]:
    """The team's campaigns running on some day of this week (Monday to Sunday)."""
    monday = clock.today() - timedelta(days=clock.today().weekday())
    span = {"first": monday.isoformat(), "last": (monday + timedelta(days=6)).isoformat()}
    return _running(path, span | {"limit": limit}, mine=False)


def starting_soon(path: Path | str, clock: Clock, owner_id: str | None) -> list[WeekCampaign]:
    """The rep's own campaigns starting today or tomorrow (for reminders)."""
    today, tomorrow = clock.today(), clock.today() + timedelta(days=1)
    span = {"first": today.isoformat(), "last": tomorrow.isoformat()}
    found = _running(path, span | {"limit": 20, "me": owner_id}, mine=True)
    return [c for c in found if today <= c.starts_on <= tomorrow]
