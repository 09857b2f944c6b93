"""Provides the desk's reads (plain sqlite3, so the desk paints before the ORM is imported)
and the app's small per-laptop preferences (a list's chosen order).

`load` and `pinned` take the book's path, not a `Book`: the desk is drawn while the `Book`
is still opening. `prefetch` starts the desk's first read (`first`) in a thread as the app
starts, so the read runs while Textual imports and the desk's first frame has its figures.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_tui.domain.dates import Clock
from crm_tui.storage.desk import Desk, DeskItem, Figure, load_desk, read_first, read_rest

if TYPE_CHECKING:
    from crm_tui.services.book import Book
    from crm_tui.services.views import PinnedView

__all__ = [
    "Desk",
    "DeskItem",
    "Figure",
    "find_customers",
    "first",
    "list_order",
    "load",
    "pinned",
    "prefetch",
    "prefetched",
    "rest",
    "set_list_order",
]


def load(path: Path | str, clock: Clock, *, limit: int = 8) -> Desk:
    """Everything today's desk shows (overdue, schedule, birthdays, deals, numbers)."""
    return load_desk(path, clock, limit=limit)


class _Prefetch:
    """One first read running in its own thread."""

    def __init__(self, path: Path | str, clock: Clock, limit: int) -> None:
        self.path, self.clock, self.limit = path, clock, limit
        self.done = threading.Event()
        self.desk: Desk | None = None

    def run(self) -> None:
        try:
            self.desk = read_first(self.path, self.clock, limit=self.limit)
        except Exception:  # noqa: BLE001 - the desk's own read runs again and reports it
            self.desk = None
        finally:
            self.done.set()


_PREFETCHED: dict[str, _Prefetch] = {}


def prefetch(path: Path | str, clock: Clock, *, limit: int = 8) -> None:
    """Start the desk's first read in a thread now: the launcher calls it before importing
    Textual, so the read (SQLite runs without the GIL) overlaps the imports."""
    job = _Prefetch(path, clock, limit)
    _PREFETCHED[str(path)] = job
    threading.Thread(target=job.run, name="desk-prefetch", daemon=True).start()


def _take(path: Path | str, clock: Clock, limit: int) -> _Prefetch | None:
    job = _PREFETCHED.pop(str(path), None)
    if job is None or job.clock is not clock or job.limit != limit:
        return None
    return job


def prefetched(path: Path | str, clock: Clock, *, limit: int = 8) -> Desk | None:
    """The prefetched first read if it is done (never waits: the UI thread may ask), else None
    (and the prefetch stays for `first`)."""
    job = _PREFETCHED.get(str(path))
    if job is None or not job.done.is_set():
        return None
    job = _take(path, clock, limit)
    return job.desk if job is not None else None


def first(path: Path | str, clock: Clock, *, limit: int = 8) -> Desk:
    """Overdue, today and the week, this month: the prefetched read (waited for: call it from
    a worker) or a fresh one. The other sections are empty until `rest`."""
    job = _take(path, clock, limit)
    if job is not None:
        job.done.wait()
        if job.desk is not None:
            return job.desk
    return read_first(path, clock, limit=limit)


def rest(path: Path | str, clock: Clock, desk: Desk, *, limit: int = 8) -> Desk:
    """`desk` (from `first`) with every other section read."""
    return read_rest(path, clock, desk, limit=limit)


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
