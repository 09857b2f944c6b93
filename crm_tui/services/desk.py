"""Provides the desk's reads (plain sqlite3, so the desk paints before the ORM is imported)
and the app's small per-laptop preferences (a list's chosen order).

`load` and `pinned` take the book's path, not a `Book`: the desk is drawn while the `Book`
is still opening.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_tui.domain.dates import Clock
from crm_tui.storage.desk import Desk, DeskItem, Figure, load_desk

if TYPE_CHECKING:
    from crm_tui.services.book import Book
    from crm_tui.services.views import PinnedView

__all__ = [
    "Desk",
    "DeskItem",
    "Figure",
    "find_customers",
    "list_order",
    "load",
    "pinned",
    "set_list_order",
]


def load(path: Path | str, clock: Clock, *, limit: int = 8) -> Desk:
    """Everything today's desk shows (overdue, schedule, birthdays, deals, numbers)."""
    return load_desk(path, clock, limit=limit)


def pinned(path: Path | str) -> list[PinnedView]:
    """Saved views pinned to the desk, read with plain sqlite3."""
    from crm_tui.services.views import pinned_views

    return pinned_views(path)


def _order_key(entity: str) -> str:
    return f"list.sort.{entity}"


def list_order(book: Book, entity: str) -> str | None:
    """The order the rep chose for a list ("urgency"), or None for the list's own."""
    return book.db.state(_order_key(entity))


def set_list_order(book: Book, entity: str, order: str | None) -> None:
    book.db.set_state(_order_key(entity), order)


def find_customers(book: Book, words: str, limit: int = 8) -> list[Any]:
    """Customers whose name (or any indexed word) matches, best first: the palette's
    "go to customer". Reads SQLite: call it from a worker."""
    return book.db.repos.customers.search(words, limit)
