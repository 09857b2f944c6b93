"""Provides short ids as git shows them: the shortest prefix of an id that no other record
in the book shares (any type, deleted ones too, as `crm show` resolves), at least
`MIN_LENGTH` characters.

UUIDv7 ids made in the same minute share their first 8 characters (time bits), so a fixed
length is not unique; the prefix goes on into the random part as far as needed. One SQL
statement per batch of ids: for each id and each table, its neighbours in the primary-key
index (the largest id below it and the smallest above); the prefix is one character longer
than the longest common prefix with any neighbour. Fast at any table size (index seeks).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import text

from crm_tui.domain.models import MODELS

if TYPE_CHECKING:
    from crm_tui.services.book import Book

MIN_LENGTH = 6
_BATCH = 400  # ids per statement (well under SQLite's bound-parameter limit)


def _common(a: str | None, b: str) -> int:
    if not a:
        return 0
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _tables(book: Book) -> list[str]:
    names = getattr(book.db.repos, "by_entity", MODELS)
    return [MODELS[name].__tablename__ for name in names if name in MODELS]


def short_ids(book: Book, ids: Iterable[str | None]) -> dict[str, str]:
    """id -> its shortest unique prefix (>= MIN_LENGTH) for every id given (None skipped)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    tables = _tables(book)
    longest: dict[str, int] = dict.fromkeys(wanted, 0)
    with book.db.reading() as s:
        conn = s.connection()
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            values = ", ".join(f"(:i{n})" for n in range(len(batch)))
            parts = [
                f'SELECT w.id, (SELECT max(id) FROM "{t}" WHERE id < w.id), '
                f'(SELECT min(id) FROM "{t}" WHERE id > w.id) FROM w'
                for t in tables
            ]
            sql = f"WITH w(id) AS (VALUES {values}) " + " UNION ALL ".join(parts)
            params = {f"i{n}": v for n, v in enumerate(batch)}
            for row_id, before, after in conn.execute(text(sql), params):
                longest[row_id] = max(
                    longest[row_id], _common(before, row_id), _common(after, row_id)
                )
    return {i: i[: max(MIN_LENGTH, n + 1)] for i, n in longest.items()}


def short_id(book: Book, row_id: str) -> str:
    """One id's shortest unique prefix."""
    return short_ids(book, [row_id]).get(row_id, row_id)
