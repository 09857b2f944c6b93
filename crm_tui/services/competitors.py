"""Provides the competitors the team is up against: add, read and edit them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm_tui.domain.models import Competitor
    from crm_tui.services.book import Book


def get(book: Book, row_id: str) -> Competitor | None:
    return book.db.repos.competitors.get(row_id)


def create(book: Book, values: dict[str, Any]) -> Competitor:
    """A new competitor from the typed text; raises ValidationErrors."""
    return book.db.repos.competitors.create(values)


def update(book: Book, row_id: str, changes: dict[str, Any]) -> Competitor:
    """Save the fields a rep changed; raises ValidationErrors or LookupError."""
    return book.db.repos.competitors.update(row_id, changes)
