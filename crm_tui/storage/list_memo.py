"""Provides `ListMemo`: what the lists of one open book learn that stays true until the next
commit — unfiltered counts and sparse keyset anchors — shared by every `ListSource`.

A list asks for its unfiltered count each time the query bar is cleared, and a jump into the
middle of a million follow-ups scans the sort index from the nearest known key. Both answers
hold until something is committed, by this process or another: a read-only connection of our
own watches `PRAGMA data_version`, which moves on every commit made by any other connection
(and this one never writes), so a write anywhere forgets everything here.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from typing import Any, ClassVar

# A count or a jump remembers the key of every 50,000th row it steps past. Each step is a
# query (~0.7 ms of Python): 20 steps over a million rows add ~15 ms CPU to the count,
# and a jump then scans at most 50,000 index entries (~5 ms).
SPARSE_STEP = 50_000
MAX_LISTS = 32  # remembered list shapes (entity, order, filter) per book; oldest go first


class ListMemo:
    """Unfiltered counts by entity and sparse anchors (row position -> sort key) by list shape,
    valid while the database's data_version stays as it was when they were learnt."""

    _by_db: ClassVar[weakref.WeakKeyDictionary[Any, ListMemo]] = weakref.WeakKeyDictionary()
    _made = threading.Lock()

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._counts: dict[str, int] = {}
        self._anchors: dict[Any, dict[int, tuple[Any, ...]]] = {}

    @classmethod
    def of(cls, db: Any) -> ListMemo:
        """The one memo of an open Database (it goes when the Database does)."""
        with cls._made:
            found = cls._by_db.get(db)
            if found is None:
                found = cls._by_db[db] = cls(str(db.path))
                weakref.finalize(db, found.close)
            return found

    def forget(self) -> None:
        """Drop everything learnt, as a commit would (the bench measures cold lists with it)."""
        with self._lock:
            self._counts.clear()
            self._anchors.clear()
            self._version = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _check(self) -> bool:
        """Forget everything if anything was committed since it was learnt (lock held).
        False when the version cannot be read (then nothing is remembered)."""
        try:
            if self._conn is None:
                from crm_tui.storage.engine import connect

                self._conn = connect(self.path, readonly=True)
            version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return False
        if version != self._version:
            self._counts.clear()
            self._anchors.clear()
            self._version = version
        return True

    def version(self) -> int | None:
        """The data version now (read before a count, handed back to `put_count`)."""
        with self._lock:
            return self._version if self._check() else None

    # --- unfiltered counts -----------------------------------------------------------------
    def count(self, entity: str) -> int | None:
        with self._lock:
            return self._counts.get(entity) if self._check() else None

    def put_count(self, entity: str, count: int, version: int | None) -> None:
        """Remember a count made after `version()` answered `version` (a commit in between
        makes the versions differ, and the count is dropped at the next look)."""
        with self._lock:
            if version is not None and self._version == version:
                self._counts[entity] = count

    # --- sparse anchors --------------------------------------------------------------------
    def nearest(self, shape: Any, before: int) -> tuple[int, tuple[Any, ...]] | None:
        """The remembered (position, key) closest below row position `before`."""
        with self._lock:
            if not self._check():
                return None
            known = self._anchors.get(shape)
            if not known:
                return None
            below = [p for p in known if p < before]
            if not below:
                return None
            position = max(below)
            return position, known[position]

    def put_anchor(
        self, shape: Any, position: int, key: tuple[Any, ...], version: int | None
    ) -> None:
        with self._lock:
            if version is None or self._version != version:
                return
            known = self._anchors.pop(shape, None) or {}
            known[position] = key
            self._anchors[shape] = known  # most recently used last
            while len(self._anchors) > MAX_LISTS:
                del self._anchors[next(iter(self._anchors))]
