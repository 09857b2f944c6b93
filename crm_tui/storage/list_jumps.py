"""Provides `SparseJumps`, the part of `ListSource` (storage/listing.py) that finds the key
of a row far from any page read so far: from the nearest page end or sparse anchor (the key
of every SPARSE_STEP-th row a jump stepped past, kept in `ListMemo` for every list of the
same shape until a commit), scanning only the sort index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm_tui.storage import list_memo
from crm_tui.storage.list_memo import ListMemo


class SparseJumps:
    """Mixed into ListSource, whose attributes and helpers these methods use."""

    db: Any
    entity: str
    table: Any
    order_names: tuple[str, ...]
    descending: bool
    nulls: bool
    page_size: int
    _filter: Any
    _anchors: dict[int, tuple[Any, ...]]
    _where: list[Any]

    def _shape(self) -> Any:
        """What the rows' order depends on (None when the filter cannot be a dict key)."""
        shape = (self.entity, self.order_names, self.descending, self.nulls, self._filter)
        try:
            hash(shape)
        except TypeError:
            return None
        return shape

    def _nearest(self, start: int) -> tuple[int, tuple[Any, ...] | None]:
        """The known (row position, key) closest before row `start`: a page's last row, or a
        sparse anchor another jump left (ListMemo); (-1, None) is the list's start."""
        size = self.page_size
        pages = [i for i in self._anchors if (i + 1) * size - 1 < start]
        best: tuple[int, tuple[Any, ...] | None] = (-1, None)
        if pages:
            i = max(pages)
            best = ((i + 1) * size - 1, self._anchors[i])
        shape = self._shape()
        if shape is not None and start - best[0] > list_memo.SPARSE_STEP:
            sparse = ListMemo.of(self.db).nearest(shape, start)
            if sparse is not None and sparse[0] > best[0]:
                best = sparse
        return best

    def _walk(
        self, conn: Any, position: int, key: tuple[Any, ...] | None, target: int
    ) -> tuple[Any, ...] | None:
        """The key of row `target`, from the row at `position` whose key is `key` (-1, None:
        the start), in steps to every SPARSE_STEP-th row, each remembered for later jumps."""
        shape, every = self._shape(), list_memo.SPARSE_STEP
        if shape is not None and target - position > every:
            memo = ListMemo.of(self.db)
            version = memo.version()
            while True:
                step = (
                    (position + 1) // list_memo.SPARSE_STEP + 1
                ) * list_memo.SPARSE_STEP - 1  # next boundary
                if step >= target:
                    break
                key = self._skip(conn, key, position + 1, step - position - 1)
                if key is None:
                    return None
                position = step
                memo.put_anchor(shape, position, key, version)
        if position == target:
            return key
        return self._skip(conn, key, position + 1, target - position - 1)

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

    def _count_by_steps(self, conn: Any, interrupt: Any = None) -> int | None:
        """Count the rows by stepping through the sort index SPARSE_STEP rows at a time,
        leaving a sparse anchor at every step: the same index scan as count(*), and later
        jumps start at most SPARSE_STEP rows from their page. None if `interrupt()` turned
        true, or when this list's order has no index to step through (then count plainly)."""
        from sqlalchemy import func

        shape, every = self._shape(), list_memo.SPARSE_STEP
        if shape is None or self.descending or self._where:
            return None
        memo = ListMemo.of(self.db)
        version = memo.version()
        position, key = -1, None
        while True:
            if interrupt is not None and interrupt():
                return None
            found = self._skip(conn, key, position + 1, every - 1)
            if found is None or any(value is None for value in found):
                break
            position, key = position + every, found
            memo.put_anchor(shape, position, key, version)
        query = select(func.count()).select_from(self.table).where(*self._conditions())
        if key is not None:
            query = query.where(*self._after(key))
        return position + 1 + int(conn.execute(query).scalar_one())
