"""Provides `ListSource`: one entity's rows, a page at a time, for tables over a million rows.

A list screen never loads every row: it asks for the total (`count()`) and for the rows in
view (`rows(offset, limit)`). Pages are fetched by keyset (`WHERE (k1, k2) > anchor`) from
the last key of the page before, kept per page; a jump far from any known page scans only
the sort index to find its anchor, and pages near the end are read backwards from the end.
Rows come back as plain dicts (typed values; follow-ups carry `customer_name`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, literal_column, or_, select, text, tuple_

from crm_tui.domain.models import MODELS, Customer

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

PAGE_SIZE = 50

# The sort each entity is listed in by default: an index exists for each (0010 migration).
DEFAULT_ORDER: dict[str, tuple[str, ...]] = {
    "customer": ("sort_key", "id"),
    "contact": ("sort_key", "id"),
    "activity": ("due_at", "id"),
    "opportunity": ("expected_close", "id"),
    "expense": ("spent_on", "id"),
    "announcement": ("published_at", "id"),
    "competitor": ("name", "id"),
}

# A small index over every live row of a table (`WHERE deleted = 0`), for unfiltered counts.
COUNT_INDEX: dict[str, str] = {
    "customer": "ix_customer_sort",
    "contact": "ix_contact_sort",
    "activity": "ix_activity_list_due",
    "opportunity": "ix_opportunity_list_close",
    "expense": "ix_expense_list_spent",
}


class ListSource:
    """The rows of one entity under a filter and an order, read a page at a time.

    `order` names columns sorted the same way (`descending` flips them all); `id` is added
    last when missing so every row has a unique key. Not thread-safe: one per widget.
    """

    def __init__(
        self,
        db: Database,
        entity: str,
        *,
        where: Sequence[ColumnElement[bool]] = (),
        order: Sequence[str] | None = None,
        descending: bool = False,
        nulls: bool = True,
        page_size: int = PAGE_SIZE,
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
        self._where: list[ColumnElement[bool]] = list(where)
        self._count: int | None = None
        self._anchors: dict[int, tuple[Any, ...]] = {}
        self.generation = 0

    # --- filter ----------------------------------------------------------------------------
    @property
    def where(self) -> list[ColumnElement[bool]]:
        return list(self._where)

    def set_filter(self, where: Sequence[ColumnElement[bool]]) -> None:
        """Use new filter clauses; the count and page anchors start again."""
        self._where = list(where)
        self.invalidate()

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
        self.generation += 1

    # --- reads -----------------------------------------------------------------------------
    def count(self) -> int:
        if self._count is None:
            query = select(func.count()).select_from(self.table).where(*self._conditions())
            if not self._where and self.entity in COUNT_INDEX:
                # Unfiltered, SQLite scans the table; its partial list index is half the work.
                query = text(
                    f"SELECT count(*) FROM {self.table.name} INDEXED BY "
                    f"{COUNT_INDEX[self.entity]} WHERE deleted = 0"
                )
            with self.db.engine.connect() as conn:
                self._count = int(conn.execute(query).scalar_one())
        return self._count

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
        total = self.count()
        if index < 0 or start >= total:
            return []
        with self.db.engine.connect() as conn:
            if index == 0:
                rows = self._fetch(conn, None, 0, size)
            elif index - 1 in self._anchors:
                rows = self._fetch(conn, self._anchors[index - 1], start, size)
            else:
                known = [i for i in self._anchors if i < index - 1]
                nearest = max(known) if known else None
                base = (nearest + 1) * size if nearest is not None else 0
                if total - start < start - base:
                    rows = self._fetch_from_end(conn, start, min(size, total - start), total)
                else:
                    anchor = self._anchors[nearest] if nearest is not None else None
                    # The key of the row just before this page, then a keyset read after it.
                    key = self._skip(conn, anchor, base, start - base - 1)
                    rows = self._fetch(conn, key, start, size) if key is not None else []
        if len(rows) == size:
            self._anchors[index] = tuple(rows[-1][name] for name in self._key_labels())
        return rows

    # --- internals -------------------------------------------------------------------------
    def _conditions(self) -> list[ColumnElement[bool]]:
        # A literal 0, not a bound parameter, so SQLite can use the partial indexes.
        return [self.table.c.deleted == literal_column("0"), *self._where]

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
        if self.entity in ("activity", "opportunity", "contact", "expense"):
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

    def _skip(
        self, conn: Any, anchor: tuple[Any, ...] | None, position: int, skip: int
    ) -> tuple[Any, ...] | None:
        """The key of the row `skip` rows past `anchor` (at `position`), from the index only."""
        keys = self._order_columns()
        query = select(*keys).select_from(self.table).where(*self._conditions())
        if anchor is None or any(value is None for value in anchor):
            query = query.order_by(*self._order_by()).offset(position + skip)
        else:
            query = query.where(*self._after(anchor)).order_by(*self._order_by()).offset(skip)
        row = conn.execute(query.limit(1)).first()
        return tuple(row) if row is not None else None
