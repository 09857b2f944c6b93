"""Provides the desk's "Campaigns this week" (issue 16): plain sqlite3, read-only, no ORM
(the desk paints before SQLAlchemy loads), each campaign with who is registered and who
came so far."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.storage.engine import connect

_WEEK_SQL = """
SELECT c.id, c.name, c.starts_on, COALESCE(c.ends_on, c.starts_on), c.status,
    COALESCE(c.place, ''),
    (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = c.id AND m.deleted = 0
        AND m.status IN ('registered', 'attended', 'no_show')),
    (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = c.id AND m.deleted = 0
        AND m.status = 'attended')
FROM campaign c
WHERE c.deleted = 0 AND c.status != 'cancelled' AND c.starts_on <= :sunday
    AND COALESCE(c.ends_on, c.starts_on) >= :monday
ORDER BY c.starts_on, c.id LIMIT :limit
"""


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


def this_week(path: Path | str, clock: Clock, limit: int = 6) -> list[WeekCampaign]:
    """Campaigns running on some day of this week (Monday to Sunday), earliest first. An
    older file without the tables gives none."""
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    params = {
        "monday": monday.isoformat(),
        "sunday": (monday + timedelta(days=6)).isoformat(),
        "limit": limit,
    }
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return []
    try:
        rows = conn.execute(_WEEK_SQL, params).fetchall()
    except sqlite3.OperationalError:
        return []  # not migrated to 0090 yet
    finally:
        conn.close()
    return [
        WeekCampaign(cid, name, date.fromisoformat(s), date.fromisoformat(e), st, place, reg, came)
        for cid, name, s, e, st, place, reg, came in rows
    ]
