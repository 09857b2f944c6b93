"""Provides every record a query selects, streamed in batches: for JSON and CSV output and
any output to a pipe, which give all matches (a million rows never sit in memory at once).

The same records, in the same order, as `services.lists.query_rows` (one SQL statement,
read batch by batch from its cursor; the records come back detached).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crm_tui.domain.fields import entity as entity_spec
from crm_tui.domain.models import MODELS
from crm_tui.services import lists
from crm_tui.storage import filter_sql

if TYPE_CHECKING:
    from crm_tui.services.book import Book

BATCH = 500


def _order(book: Book, name: str, sort: str | None) -> list[Any]:
    repo = book.db.repos.by_entity[name]
    parsed = lists.parse_sort(name, sort) if sort else None
    if parsed is None:
        return [getattr(repo.model, f) for f in repo.default_order]
    if parsed.by_urgency:
        from crm_tui.services import urgency

        return urgency.order_by(book, name)
    return filter_sql.order_by(name, parsed.keys)


def batches(
    book: Book,
    entity: str,
    text: str = "",
    *,
    sort: str | None = None,
    limit: int | None = None,
    batch: int = BATCH,
) -> Iterator[list[Any]]:
    """Lists of at most `batch` live records matching `text`, in `sort` order, `limit` in
    all (None: every match). Raises lists.QueryError before the first batch."""
    name = entity_spec(entity).name
    model = MODELS[name]
    filter_ = lists.compile(book, name, text)
    order = _order(book, name, sort)
    stmt = select(model).where(*filter_sql.where(filter_), filter_sql.live_rows(model))
    stmt = stmt.order_by(*order)
    if limit is not None:
        stmt = stmt.limit(limit)
    with book.db.reading() as s:
        result = s.execute(stmt.execution_options(yield_per=batch))
        for part in result.scalars().partitions(batch):
            rows = list(part)
            for rec in rows:
                s.expunge(rec)  # detached: the session keeps nothing from earlier batches
            yield rows
