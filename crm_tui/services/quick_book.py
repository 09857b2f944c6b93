"""Provides the quick read commands' way into a book (issue 20): opened with plain sqlite3
only when it is current, a read error turned into "take the full path", closed after."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crm_tui.services.quick import QuickUnavailable
from crm_tui.storage import quick_reads


@contextmanager
def quick_book(path: Path, errors: tuple[type[Exception], ...]) -> Iterator[sqlite3.Connection]:
    """The book at `path` for a quick read. QuickUnavailable when it cannot be read quick
    (missing, unmigrated) or the read raises one of `errors` (the full command then says
    what is wrong)."""
    try:
        conn = quick_reads.open_current(path)
    except quick_reads.NotQuick as exc:
        raise QuickUnavailable(str(exc)) from exc
    try:
        yield conn
    except errors as exc:
        raise QuickUnavailable(str(exc)) from exc
    finally:
        conn.close()
