"""Provides `ListSource`: one entity's rows, a page at a time, for tables over a million rows.

A list screen never loads every row: it asks for the total and for the rows in view
(`rows(offset, limit)`). The total first comes capped (`quick_count()`: "1,000+" rather than
counting a million matches before the first paint), and exactly afterwards (`count_exact()`,
which a newer filter interrupts). Pages are fetched by keyset (`WHERE (k1, k2) > anchor`) from
the last key of the page before, kept per page; a jump far from any known page scans only
the sort index to find its anchor, and pages near the end are read backwards from the end.
Rows come back as plain dicts (typed values; follow-ups carry `customer_name`).

Customers filtered by free text (the query bar's words) in the default order are answered
from the full-text hits mapped to their places in the list (storage/search.py
`CustomerHits`): the exact count and any page without sorting every match in SQLite. The
filter is a `Filter` (crm_tui/domain/filter.py) made SQL by storage/filter_sql.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, literal, literal_column, or_, select, text, tuple_
from sqlalchemy.exc import OperationalError

from crm_tui.domain.filter import Filter, FreeText
from crm_tui.domain.models import MODELS, Customer
from crm_tui.storage import filter_sql
from crm_tui.storage.list_jumps import SparseJumps
from crm_tui.storage.list_memo import ListMemo

if TYPE_CHECKING:
    from crm_tui.storage.database import Database
    from crm_tui.storage.search import Hits

PAGE_SIZE = 50
COUNT_CAP = 1000  # beyond this a filtered total shows as "1,000+" until counted exactly
# Free-text hits that also need other terms (e.g. `city:北京 acme`) are checked in SQL by
# id when there are at most this many; more go the plain SQL way.
HITS_CHECKED_IN_SQL = 5000
INTERRUPT_STEPS = 20_000  # SQLite VM steps between two looks at whether to stop a count

# The sort each entity is listed in by default: an index exists for each (0010 migration).
DEFAULT_ORDER: dict[str, tuple[str, ...]] = {
    "customer": ("sort_key", "id"),
    "contact": ("sort_key", "id"),
    "activity": ("due_at", "id"),
    "opportunity": ("expected_close", "id"),
    "expense": ("spent_on", "id"),
    "announcement": ("published_at", "id"),
    "competitor": ("name", "id"),
    "service": ("planned_start", "id"),  # issue 15: 0080 migration
}

# A small index over every live row of a table (`WHERE deleted = 0`), for unfiltered counts.
COUNT_INDEX: dict[str, str] = {
    "customer": "ix_customer_sort",
    "contact": "ix_contact_sort",
    "activity": "ix_activity_list_due",
    "opportunity": "ix_opportunity_list_close",
    "expense": "ix_expense_list_spent",
    "service": "ix_service_live_planned",
}


class ListSource(SparseJumps):
    """The rows of one entity under a filter and an order, read a page at a time.

    `order` names columns sorted the same way (`descending` flips them all); `id` is added
    last when missing so every row has a unique key. Not thread-safe: one per widget.
    """

    def __init__(
        self,
        db: Database,
        entity: str,
        filter: Filter | None = None,  # noqa: A002 - the word every caller uses
        *,
        order: Sequence[str] | None = None,
        descending: bool = False,
        nulls: bool = True,
        page_size: int = PAGE_SIZE,
        count_cap: int | None = None,
    ) -> None:
        self.db = db
        self.entity = entity
        self.model = MODELS[entity]
        self.table = self.model.__table__  # type: ignore[attr-defined]
        names = list(order or DEFAULT_ORDER.get(entity, ("id",)))
        if "id" not in names:
            names.append("id")
        self.order_names = tuple(names)
        self.descending = descending
        # False when the filter already excludes NULL sort keys (e.g. done follow-ups by
        # done_at): a descending keyset read then needs no `OR key IS NULL`, which no index serves.
        self.nulls = nulls
        self.page_size = page_size
        self.count_cap = COUNT_CAP if count_cap is None else count_cap
        self._filter: Filter | None = None
        self._where: list[ColumnElement[bool]] = []
        self._text: FreeText | None = None  # free text answered from the search hits
        self._rest: list[ColumnElement[bool]] = []  # the other clauses, checked in SQL
        self._use(filter)
        self._count: int | None = None
        self._anchors: dict[int, tuple[Any, ...]] = {}
        self._hits: Hits | None = None
        self._hits_tried = False
        self.generation = 0
        if entity == "customer":
            from crm_tui.storage.search import CustomerHits

            CustomerHits.of(db).ready()  # maps the search hits now, or starts doing so

    # --- filter ----------------------------------------------------------------------------
    @property
    def filter(self) -> Filter | None:
        return self._filter

    @property
    def where(self) -> list[ColumnElement[bool]]:
        return list(self._where)

    def set_filter(self, filter: Filter | None) -> None:  # noqa: A002
        """Use a new filter; the count and page anchors start again."""
        self._use(filter)
        self.invalidate()

    def _use(self, filter_: Filter | None) -> None:
        if filter_ is not None and filter_.entity != self.entity:
            raise ValueError(f"a {filter_.entity} filter cannot list {self.entity} rows")
        self._filter = filter_ if filter_ else None
        self._where = filter_sql.where(self._filter)
        self._text, self._rest = filter_sql.text_clause(self._filter)

    def set_order(self, order: Sequence[str], *, descending: bool = False) -> None:
        names = list(order)
        if "id" not in names:
            names.append("id")
        self.order_names = tuple(names)
        self.descending = descending
        self.invalidate()

    def invalidate(self) -> None:
        """Forget counts and anchors (after a write or a filter change)."""
        self._count = None
        self._anchors.clear()
        self._hits = None
        self._hits_tried = False
        self.__dict__.pop("_jumps", None)  # a jump's statements (list_jumps.py) hold the filter
        self.generation += 1

    # --- reads -----------------------------------------------------------------------------
    def count(self) -> int:
        """The exact number of rows (however long that takes)."""
        found = self.count_exact()
        assert found is not None  # nothing to interrupt it
        return found

    def quick_count(self) -> tuple[int, bool]:
        """`(total, True)`, or `(count_cap, False)` when there are more than `count_cap` rows
        and counting them all would cost more than the first page (the list shows "1,000+")."""
        if self._count is not None:
            return self._count, True
        if self._ranked() is not None or not self._where:
            return self.count(), True
        capped = select(literal(1)).select_from(self.table).where(*self._conditions())
        query = select(func.count()).select_from(capped.limit(self.count_cap + 1).subquery())
        generation = self.generation
        with self.db.engine.connect() as conn:
            found = int(conn.execute(query).scalar_one())
        if found <= self.count_cap:
            if generation == self.generation:
                self._count = found
            return found, True
        return self.count_cap, False

    def count_exact(self, interrupt: Callable[[], bool] | None = None) -> int | None:
        """The exact number of rows; None when `interrupt()` turned true while counting
        (e.g. the filter changed). Safe beside reads of pages in another thread."""
        if self._count is not None:
            return self._count
        generation = self.generation
        hits = self._ranked()
        found: int | None = None
        if hits is not None:
            found = len(hits)
        else:
            query = select(func.count()).select_from(self.table).where(*self._conditions())
            memo = version = None
            if not self._where:
                # Unfiltered: kept across filter changes until a commit (clearing the bar
                # costs no count); SQLite's partial list index is half the work of the table.
                memo = ListMemo.of(self.db)
                found = memo.count(self.entity)
                if found is not None:
                    self._count = found if generation == self.generation else None
                    return found
                version = memo.version()
                if self.order_names == DEFAULT_ORDER.get(self.entity):
                    # Along its sort index, leaving sparse anchors for jumps (list_jumps.py).
                    with self.db.engine.connect() as conn:
                        found = self._count_by_steps(conn, interrupt)
                    if found is None and interrupt is not None and interrupt():
                        return None
                if found is None and self.entity in COUNT_INDEX:
                    query = text(
                        f"SELECT count(*) FROM {self.table.name} INDEXED BY "
                        f"{COUNT_INDEX[self.entity]} WHERE deleted = 0"
                    )
            if found is None:
                try:
                    found = self._scalar(query, interrupt)
                except OperationalError as exc:
                    # A first sync cut short leaves its deferred indexes to the next pull.
                    if "no such index" not in str(exc):
                        raise
                    plain = f"SELECT count(*) FROM {self.table.name} WHERE deleted = 0"
                    found = self._scalar(text(plain), interrupt)
            if memo is not None and found is not None:
                memo.put_count(self.entity, found, version)
        if found is not None and generation == self.generation:
            self._count = found
        return found

    def _scalar(self, query: Any, interrupt: Callable[[], bool] | None) -> int | None:
        with self.db.engine.connect() as conn:
            if interrupt is None:
                return int(conn.execute(query).scalar_one())
            raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
            raw.set_progress_handler(interrupt, INTERRUPT_STEPS)  # true stops the count
            try:
                return int(conn.execute(query).scalar_one())
            except OperationalError as exc:
                if "interrupt" not in str(exc):
                    raise
                return None
            finally:
                raw.set_progress_handler(None, 0)

    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """The rows at positions offset .. offset+limit-1 (fewer at the end)."""
        if limit <= 0 or offset < 0:
            return []
        first, last = offset // self.page_size, (offset + limit - 1) // self.page_size
        out: list[dict[str, Any]] = []
        for index in range(first, last + 1):
            out.extend(self.page(index))
        start = offset - first * self.page_size
        return out[start : start + limit]

    def page(self, index: int) -> list[dict[str, Any]]:
        """Page `index` (0-based) of `page_size` rows, by the cheapest route available."""
        size = self.page_size
        start = index * size
        if index < 0:
            return []
        hits = self._ranked()
        if hits is not None:
            return self._by_place(hits, start, size)
        total = self._count  # None while only a capped count is known
        if total is not None and start >= total:
            return []
        with self.db.engine.connect() as conn:
            if index == 0:
                rows = self._fetch(conn, None, 0, size)
            elif index - 1 in self._anchors:
                rows = self._fetch(conn, self._anchors[index - 1], start, size)
            else:
                position, anchor = self._nearest(start)
                base = position + 1
                if total is not None and total - start < start - base:
                    rows = self._fetch_from_end(conn, start, min(size, total - start), total)
                else:
                    # The key of the row just before this page, then a keyset read after it.
                    key = self._walk(conn, position, anchor, start - 1)
                    rows = self._fetch(conn, key, start, size) if key is not None else []
        if len(rows) == size:
            self._anchors[index] = tuple(rows[-1][name] for name in self._key_labels())
        return rows

    # --- free text through the search hits ------------------------------------------------
    def _ranked(self) -> Hits | None:
        """Every matching customer in list order, when the filter is free text over customers
        in the default order and the hits map is up to date; else None (plain SQL)."""
        if self._hits_tried:
            return self._hits
        self._hits_tried = True
        if self.entity != "customer" or self.descending:
            return None
        if self.order_names != DEFAULT_ORDER["customer"]:
            return None
        from crm_tui.storage.search import CustomerHits, Hits

        if self._text is None or self._text.expression is None:
            return None
        generation = self.generation
        hits = CustomerHits.of(self.db).hits(self._text.expression)
        rest = self._rest
        if hits is not None and rest and len(hits):
            if len(hits) > HITS_CHECKED_IN_SQL:
                return None
            ids = hits.ids(hits.ranks)
            listed = func.json_each(json.dumps(ids)).table_valued("value")
            query = select(self.table.c.id).where(
                self.table.c.id.in_(select(listed.c.value)), *self._live(), *rest
            )
            with self.db.engine.connect() as conn:
                keep = set(conn.execute(query).scalars())
            ranks = [r for r, i in zip(hits.ranks, ids, strict=True) if i in keep]
            hits = Hits(ranks, True, hits.by_place)
        if generation == self.generation:
            self._hits = hits
        return hits

    def _live(self) -> list[ColumnElement[bool]]:
        # A literal 0, not a bound parameter, so SQLite can use the partial indexes.
        return [self.table.c.deleted == literal_column("0")]

    def _by_place(self, hits: Hits, start: int, size: int) -> list[dict[str, Any]]:
        ids = hits.ids(hits.ranks[start : start + size])
        if not ids:
            return []
        query = self._select().where(self.table.c.id.in_(ids)).order_by(*self._order_by())
        with self.db.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    # --- internals -------------------------------------------------------------------------
    def _conditions(self) -> list[ColumnElement[bool]]:
        return [*self._live(), *self._where]

    def _order_columns(self) -> list[Any]:
        return [self.table.c[name] for name in self.order_names]

    def _key_labels(self) -> list[str]:
        return [f"_k{i}" for i in range(len(self.order_names))]

    def _order_by(self, reverse: bool = False) -> list[Any]:
        down = self.descending != reverse
        return [c.desc() if down else c.asc() for c in self._order_columns()]

    def _after(self, anchor: tuple[Any, ...]) -> list[ColumnElement[bool]]:
        columns = self._order_columns()
        keys, bound = tuple_(*columns), tuple_(*anchor)
        if not self.descending:
            return [keys > bound]  # NULLs sort first, so none can follow a non-NULL anchor
        # Descending, NULLs sort last and never compare: let them follow explicitly.
        if self.nulls and columns[0].nullable:
            return [or_(keys < bound, columns[0].is_(None))]
        return [keys < bound]

    def _select(self) -> Any:
        columns = [self.table]
        keys = [
            c.label(label)
            for c, label in zip(self._order_columns(), self._key_labels(), strict=True)
        ]
        query = select(*columns, *keys)
        if self.entity in (
            "activity",
            "opportunity",
            "contact",
            "expense",
            "service",
            "service_plan",
        ):
            query = query.add_columns(Customer.__table__.c.name.label("customer_name"))
            query = query.select_from(
                self.table.outerjoin(
                    Customer.__table__, Customer.__table__.c.id == self.table.c.customer_id
                )
            )
        return query

    def _fetch(
        self, conn: Any, anchor: tuple[Any, ...] | None, position: int, limit: int
    ) -> list[dict[str, Any]]:
        """`limit` rows from `position`, after `anchor` (the key of the row before) if usable."""
        query = self._select().where(*self._conditions())
        if anchor is None or any(value is None for value in anchor):
            # No anchor, or one among NULL keys (which do not compare): a plain OFFSET.
            query = query.order_by(*self._order_by()).offset(position)
        else:
            query = query.where(*self._after(anchor)).order_by(*self._order_by())
        return [dict(row) for row in conn.execute(query.limit(limit)).mappings()]

    def _fetch_from_end(
        self, conn: Any, start: int, limit: int, total: int
    ) -> list[dict[str, Any]]:
        skip = total - start - limit
        query = (
            self._select()
            .where(*self._conditions())
            .order_by(*self._order_by(True))
            .offset(skip)
            .limit(limit)
        )
        rows = [dict(row) for row in conn.execute(query).mappings()]
        rows.reverse()
        return rows
