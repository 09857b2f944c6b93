"""Provides lists for screens and the CLI: a query's `Filter`, pages of rows, counts.

A keypress in a query bar reaches SQLite as: screen -> `compile` (crm_tui/query: text ->
`Filter`, no SQL) -> `source(...).set_filter` -> storage/listing.py (`Filter` -> SQL in
storage/filter_sql.py) -> SQLite. Rows come back as plain dicts (list pages) or detached
domain records (`query_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import entity as entity_spec
from crm_tui.domain.filter import Filter, Sort
from crm_tui.domain.money import DEFAULT_CURRENCY
from crm_tui.query import QueryError, compile_query, parse_sort
from crm_tui.storage import filter_sql
from crm_tui.storage.listing import COUNT_CAP, PAGE_SIZE, ListSource

if TYPE_CHECKING:
    from crm_tui.services.book import Book

__all__ = [
    "COUNT_CAP",
    "PAGE_SIZE",
    "ListPages",
    "QueryError",
    "compile",
    "count",
    "matching_ids",
    "parse_sort",
    "query_rows",
    "source",
    "urgency_source",
]


class ListPages(Protocol):
    """One record type's rows under a filter and an order, read a page at a time (what a
    `RecordTable` shows). Not thread-safe: one per widget."""

    entity: str
    page_size: int
    generation: int

    def quick_count(self) -> tuple[int, bool]: ...
    def count_exact(self, interrupt: Callable[[], bool] | None = None) -> int | None: ...
    def count(self) -> int: ...
    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]: ...
    def page(self, index: int) -> list[dict[str, Any]]: ...
    def set_filter(self, filter: Filter | None) -> None: ...  # noqa: A002
    def set_order(self, order: Sequence[str], *, descending: bool = False) -> None: ...
    def invalidate(self) -> None: ...


@dataclass(frozen=True)
class _Context:
    """What the query language resolves words against (crm_tui.query.QueryContext)."""

    clock: Clock
    user_id: str | None
    currency: str


def _db(book: Any) -> Any:
    # A Book, or (while callers move over) a storage Database.
    return getattr(book, "db", book)


def _context(book: Any) -> _Context:
    db = _db(book)
    return _Context(db.clock, db.user_id, db.state("currency") or DEFAULT_CURRENCY)


def compile(book: Book, entity: str, text: str) -> Filter:  # noqa: A001 - the verb it is
    """The Filter for what a rep typed; an empty Filter for ''. Raises QueryError."""
    return compile_query(entity, text, _context(book))


def source(
    book: Book,
    entity: str,
    filter: Filter | None = None,  # noqa: A002
    *,
    order: Sequence[str] | None = None,
    descending: bool = False,
    nulls: bool = True,
    page_size: int = PAGE_SIZE,
    count_cap: int | None = None,
) -> ListPages:
    """The rows of `entity` (registry name or alias) under `filter`, in `order` (the list's
    default when None; `descending` flips every column; `nulls=False` when the filter
    already excludes NULL sort keys, which keeps descending reads on an index)."""
    name = entity_spec(entity).name
    if order is None and filter is not None and filter.sort is not None:
        order = [k.field for k in filter.sort.keys]
        descending = filter.sort.keys[0].descending
    return ListSource(
        _db(book),
        name,
        filter,
        order=order,
        descending=descending,
        nulls=nulls,
        page_size=page_size,
        count_cap=count_cap,
    )


def urgency_source(book: Book, entity: str, filter: Filter | None = None) -> ListPages:  # noqa: A002
    """Most urgent first (the stored score; keep it fresh with services.urgency.refresh)."""
    return source(book, entity, filter, order=["urgency"], descending=True)


def _order_by(book: Book, entity: str, sort: Sort | None) -> list[Any] | None:
    if sort is None:
        return None
    if sort.by_urgency:
        from crm_tui.services import urgency

        return urgency.order_by(book, entity)
    return filter_sql.order_by(entity, sort.keys)


def query_rows(
    book: Book, entity: str, text: str = "", *, sort: str | Sort | None = None, limit: int = 50
) -> list[Any]:
    """Records matching `text` (detached domain records), sorted by `sort` (`urgency`,
    `field`, `-field` or a Sort; None: the table's order), at most `limit`. Raises
    QueryError (check `sort` first with `parse_sort` to tell the two apart)."""
    name = entity_spec(entity).name
    filter_ = compile(book, name, text)
    if isinstance(sort, str):
        sort = parse_sort(name, sort)
    order = _order_by(book, name, sort)
    repo = _db(book).repos.by_entity[name]
    return repo.page(where=_where(name, filter_), order_by=order, limit=limit)


def count(book: Book, entity: str, text: str = "") -> int:
    """How many live records match `text`. Raises QueryError."""
    name = entity_spec(entity).name
    repo = _db(book).repos.by_entity[name]
    return repo.count(where=_where(name, compile(book, name, text)))


def matching_ids(book: Book, entity: str, text: str | None) -> set[str] | None:
    """Ids of the live records `text` selects; None for no query (everything)."""
    if not text or not text.strip():
        return None
    from sqlalchemy import select

    from crm_tui.domain.models import MODELS

    name = entity_spec(entity).name
    model = MODELS[name]
    stmt = select(model.id).where(*_where(name, compile(book, name, text)))
    with _db(book).reading() as s:
        return set(s.execute(stmt).scalars())


def _where(name: str, filter_: Filter) -> list[Any]:
    from crm_tui.domain.models import MODELS

    # `deleted = 0` literally too, so SQLite can use the partial indexes of sorted lists.
    return [*filter_sql.where(filter_), filter_sql.live_rows(MODELS[name])]
