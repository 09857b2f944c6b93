"""Provides name look-ups for reference fields: candidates by name, a name for an id, and
the id a typed name stands for.

Forms and pickers call these (from a worker for candidates: they read SQLite); the SQL
lives in storage/lookups.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_tui.storage import lookups

if TYPE_CHECKING:
    from crm_tui.services.book import Book


def candidates(book: Book, entity: str, text: str, limit: int = 8) -> list[tuple[str, str]]:
    """(id, name) of the records of `entity` whose name matches what the rep typed."""
    return lookups.ref_candidates(book.db, entity, text, limit)


def label(book: Book, entity: str, row_id: str | None) -> str:
    """The name of the record `row_id` names, or the id itself when it is gone."""
    return lookups.ref_label(book.db, entity, row_id)


def resolve(book: Book, entity: str, text: str) -> str:
    """The id a typed name (or id prefix) stands for; raises LookupError with a clear message."""
    return lookups.resolve_ref(book.db, entity, text)
