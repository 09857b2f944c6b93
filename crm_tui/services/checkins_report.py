"""Provides the visits report's rows (issue 18) for the CLI and the reports screen: visit
check-ins per rep per day over the last N days, the rep's own or (managers) the team's."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from crm_tui.reports.visits import VisitDay, visit_days
from crm_tui.storage.engine import connect

if TYPE_CHECKING:
    from crm_tui.services.book import Book

__all__ = ["VisitDay", "visit_rows"]


def visit_rows(book: Book, *, days: int = 7, team: bool = False) -> list[dict[str, Any]]:
    if team and not book.actor.manager:
        raise PermissionError("only a manager sees the team's visits")
    today = book.clock.today()
    start, end = today - timedelta(days=days - 1), today + timedelta(days=1)
    names = {v: k for k, v in book.db.repos.users.members().items()}
    conn = connect(book.path, readonly=True)
    try:
        found = visit_days(conn, book.clock, start, end, None if team else book.user_id)
    finally:
        conn.close()
    return [
        {
            "day": v.day.isoformat(),
            "rep": names.get(v.owner_id or "", v.owner_id or "me"),
            "visits": v.visits,
            "minutes": v.minutes,
            "open": v.open,
            "flagged": v.flagged,
        }
        for v in found
    ]
