"""Provides the service statistics report (服务统计, issue 15) for screens and the CLI, on its
own read-only sqlite3 connection (safe in a thread worker; no ORM), and its rendering as
Markdown, CSV or HTML like the other reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_tui.reports import service
from crm_tui.reports.export import render
from crm_tui.reports.period import Period
from crm_tui.storage.engine import connect

if TYPE_CHECKING:
    from crm_tui.reports.service import ServiceReport
    from crm_tui.services.book import Book

__all__ = ["NOT_TEAM", "build", "render"]

NOT_TEAM = "only a manager can see the team's service figures"


def build(book: Book, period: Period, *, team: bool = False) -> ServiceReport:
    """The report for `period`: the user's own orders (made by or sent to them), or the
    team's for a manager. Raises PermissionError when a rep asks for the team."""
    actor = book.actor
    if team and not actor.manager:
        raise PermissionError(NOT_TEAM)
    conn = connect(book.path, readonly=True)
    try:
        return service.build(
            conn,
            period,
            clock=book.clock,
            currency=book.input_context.currency,
            owner_id=actor.user_id,
            team=team,
            generated_at=book.clock.now(),
        )
    finally:
        conn.close()
