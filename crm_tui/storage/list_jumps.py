"""Provides `SparseJumps`, the part of `ListSource` (storage/listing.py) that finds the key
of a row far from any page read so far: from the nearest page end or sparse anchor (the key
of every SPARSE_STEP-th row a jump stepped past, kept in `ListMemo` for every list of the
same shape until a commit), scanning only the sort index.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import bindparam, case, func, select, tuple_

from crm_tui.storage import list_memo
from crm_tui.storage.list_memo import ListMemo

# Jump statements compiled for the driver, by list shape and kind (`SparseJumps._raw`): the
# shape (entity, order, filter) fixes the SQL and its values, so a new list of the same
# shape, as every list opened after a write is, skips SQLAlchemy's compile (~1.5 ms a jump).
_COMPILED: dict[Any, Any] = {}
_COMPILED_MAX = 128
_COMPILED_LOCK = threading.Lock()  # lists jump in their workers' threads


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
        if anchor is None or any(value is None for value in anchor):
            row = self._first(conn, "start", {"skip": position + skip})
        elif self.descending:
            row = self._first(conn, "after", self._bound(anchor, skip=skip))
        else:
            # Past the anchor = from its first key on, less the rows sharing that key that
            # are not after it: SQLite seeks to the first key and steps through the index
            # without comparing each row's whole key with the anchor's (a third of the scan).
            ties = self._first(conn, "ties", self._bound(anchor))[0]
            row = self._first(conn, "from", self._bound(anchor, skip=skip + ties))
        return row

    def _first(self, conn: Any, kind: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row of jump statement `kind`, run on the driver's own connection: a
        jump to the middle of a million rows is ~20 statements, and SQLAlchemy's execute
        (~0.15 ms of Python each) was a tenth of it. Values are bound and read back through
        the columns' types, as SQLAlchemy would; the statement runs in `conn`'s transaction
        (begun here if no statement has begun it), so it sees what the page read sees."""
        made = self._raw(conn, kind)
        if made is None:  # IN lists are expanded per execution: SQLAlchemy does that
            found = conn.execute(self._jump(kind), params).first()
            return None if found is None else tuple(found)
        sql, compiled, binds, results = made
        values = compiled.construct_params(params)
        args = [
            value if bind is None else bind(value)
            for value, bind in zip(
                (values[name] for name in compiled.positiontup), binds, strict=True
            )
        ]
        if not conn.in_transaction():
            conn.begin()
        raw = conn.connection.driver_connection
        row = raw.execute(sql, args).fetchone()
        if row is None:
            return None
        return tuple(
            value if read is None else read(value) for value, read in zip(row, results, strict=True)
        )

    def _raw(self, conn: Any, kind: str) -> tuple[str, Any, list[Any], list[Any]] | None:
        """Jump statement `kind` compiled once for the driver: (SQL, the compiled form, bind
        processors by position, result processors by column); None when its SQL is only
        known at execution (an IN list)."""
        made = self.__dict__.setdefault("_jumps", {})  # forgotten with the statements
        if ("raw", kind) in made:
            return made[("raw", kind)]
        shape = self._shape()  # a new list of a shape seen before (each cold jump's)
        shared = _COMPILED.get((shape, kind)) if shape is not None else None
        if shared is not None:
            made[("raw", kind)] = shared
            return shared
        dialect = conn.dialect
        compiled = self._jump(kind).compile(dialect=dialect)
        found = None
        if not compiled.post_compile_params and not compiled.literal_execute_params:
            binds = [
                compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in compiled.positiontup
            ]
            columns = self._order_columns() if kind != "ties" else [None]
            results = [
                None
                if column is None
                else column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            ]
            found = (compiled.string, compiled, binds, results)
        made[("raw", kind)] = found
        if shape is not None and found is not None:
            with _COMPILED_LOCK:
                _COMPILED[(shape, kind)] = found
                while len(_COMPILED) > _COMPILED_MAX:
                    del _COMPILED[next(iter(_COMPILED))]
        return found

    def _bound(self, anchor: tuple[Any, ...], **more: int) -> dict[str, Any]:
        return {f"k{i}": value for i, value in enumerate(anchor)} | more

    def _jump(self, kind: str) -> Any:
        """The statements of a jump, made once per filter and order (`invalidate` forgets
        them): SQLAlchemy then finds each compiled in its cache instead of building it anew
        for every step."""
        made = self.__dict__.setdefault("_jumps", {})
        if kind in made:
            return made[kind]
        columns = self._order_columns()
        bound = [bindparam(f"k{i}", type_=c.type) for i, c in enumerate(columns)]
        keys = select(*columns).select_from(self.table).where(*self._conditions())
        ordered = self._order_by()
        first, rest = columns[0], columns[1:]
        if kind == "start":
            query = keys.order_by(*ordered).limit(1).offset(bindparam("skip"))
        elif kind == "after":
            query = keys.where(*self._after(tuple(bound))).order_by(*ordered)
            query = query.limit(1).offset(bindparam("skip"))
        elif kind == "from":
            query = keys.where(first >= bound[0]).order_by(*ordered)
            query = query.limit(1).offset(bindparam("skip"))
        else:  # "ties": rows with the anchor's first key not after it (NULLs sort first)
            after = tuple_(*rest) > tuple_(*bound[1:]) if rest else None
            total = func.count()
            if after is not None:
                total = total - func.coalesce(func.sum(case((after, 1), else_=0)), 0)
            query = (
                select(total).select_from(self.table).where(*self._conditions(), first == bound[0])
            )
        made[kind] = query
        return query

    def _count_by_steps(self, conn: Any, interrupt: Any = None) -> int | None:
        """Count the rows by stepping through the sort index SPARSE_STEP rows at a time,
        leaving a sparse anchor at every step: the same index scan as count(*), and later
        jumps start at most SPARSE_STEP rows from their page. None if `interrupt()` turned
        true, or when this list's order has no index to step through (then count plainly)."""
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
        if key is None:
            return position + 1 + int(conn.execute(query).scalar_one())
        # The rows from the last anchor's first key on, less those not after it (see _skip).
        tail = conn.execute(query.where(self._order_columns()[0] >= key[0])).scalar_one()
        ties = self._first(conn, "ties", self._bound(key))[0]
        return position + 1 + int(tail) - int(ties)
