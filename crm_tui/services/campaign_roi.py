"""Provides the campaign report (return on spend, issue 16) for screens and the CLI, on its
own read-only sqlite3 connection (safe in a thread worker; no ORM); the figures themselves
are reports/campaigns.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_tui.reports import campaigns
from crm_tui.reports.export import render
from crm_tui.reports.period import Period
from crm_tui.storage.engine import connect

if TYPE_CHECKING:
    from crm_tui.reports.campaigns import CampaignFigures, CampaignReport
    from crm_tui.services.book import Book

__all__ = ["build", "default_period", "figures", "render"]


def default_period(book: Book) -> Period:
    """Campaigns are compared over the year by default (a month holds one or two)."""
    return Period.containing(book.clock.today(), "year")


def build(book: Book, period: Period | None = None, *, scope: str = "team") -> CampaignReport:
    conn = connect(book.path, readonly=True)
    try:
        return campaigns.build(
            conn,
            period or default_period(book),
            currency=book.input_context.currency,
            generated_at=book.clock.now(),
            scope=scope,
        )
    finally:
        conn.close()


def figures(book: Book, period: Period | None = None) -> list[CampaignFigures]:
    """Each campaign's figures (the detail screen's header, tests)."""
    conn = connect(book.path, readonly=True)
    try:
        return campaigns.figures(conn, period or default_period(book))
    finally:
        conn.close()


def of_campaign(book: Book, campaign_id: str) -> CampaignFigures | None:
    """One campaign's figures, whenever it starts."""
    from datetime import date

    everything = Period("year", date(1900, 1, 1), date(2201, 1, 1))
    return next((f for f in figures(book, everything) if f.id == campaign_id), None)
