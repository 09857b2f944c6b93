"""Provides the competitors the team is up against: add, read and edit them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_tui.services import records

if TYPE_CHECKING:
    from crm_tui.domain.models import Competitor
    from crm_tui.services.book import Book


def get(book: Book, row_id: str) -> Competitor | None:
    return records.get(book, "competitor", row_id)


def create(book: Book, values: dict[str, Any]) -> Competitor:
    """A new competitor from the typed text; raises ValidationErrors."""
    return records.create(book, "competitor", values)


def update(book: Book, row_id: str, changes: dict[str, Any]) -> Competitor:
    """Save the fields a rep changed; raises ValidationErrors or NotFound."""
    return records.update(book, "competitor", row_id, changes)
