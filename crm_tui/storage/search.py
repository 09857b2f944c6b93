"""Provides full-text search that finds Chinese substrings as well as English words.

SQLite's unicode61 tokenizer treats a run of Chinese as one word, and trigram needs three
characters (and on 3.40 a trigram LIKE misses rows), so CJK runs are indexed as overlapping
bigrams plus the run's last character, as Lucene's CJK analyzer does; a query is split the
same way and matched as a phrase. One-character queries match as a prefix.
"""

from __future__ import annotations

import heapq
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
import weakref
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, ClassVar

from crm_tui.domain.search_text import index_text, match_expression

__all__ = [
    "CustomerHits",
    "customer_fts_ids",
    "fts_ids",
    "Hits",
    "index_text",
    "match_expression",
    "pinyin_key",
    "searchable_parts",
]


def searchable_parts(entity: str, record: dict, company: str | None = None) -> list[str | None]:
    """Which fields of a record are searched: name, company, phone, e-mail, city, notes, tags."""
    if entity == "customer":
        keys = ("name", "phone", "email", "city", "address", "industry", "website", "notes")
        return [record.get(k) for k in keys] + [(record.get("tags") or "").replace(",", " ")]
    if entity == "contact":
        keys = ("name", "title", "phone", "mobile", "email", "notes")
        return [record.get(k) for k in keys] + [company]
    raise ValueError(f"{entity} is not searchable")


def fts_ids(entity_name: str, expression: str) -> Any:
    """SELECT row_id of one record type's search documents matching an FTS5 expression."""
    from sqlalchemy import column, literal_column, select, table  # not needed by the desk

    doc = table("search_doc", column("docid"), column("entity"), column("row_id"))
    fts = table("search_fts", column("rowid"))
    return (
        select(doc.c.row_id)
        .select_from(fts.join(doc, doc.c.docid == fts.c.rowid))
        .where(literal_column("search_fts").op("MATCH")(expression), doc.c.entity == entity_name)
    )


def customer_fts_ids(expression: str) -> Any:
    """SELECT the customer id of every search document matching an FTS5 expression: the
    customer's own, or a live contact's customer (search_doc_owner, migration 0141)."""
    from sqlalchemy import column, literal_column, select, table

    owner = table("search_doc_owner", column("docid"), column("customer_id"))
    fts = table("search_fts", column("rowid"))
    return (
        select(owner.c.customer_id)
        .select_from(fts.join(owner, owner.c.docid == fts.c.rowid))
        .where(literal_column("search_fts").op("MATCH")(expression))
    )


def pinyin_key(name: str) -> str:
    """Sort key that puts 张伟 among the Zs, as a Chinese rep expects, beside 'Zhao Ltd'."""
    text = unicodedata.normalize("NFKC", name)
    if text.isascii():  # pypinyin hands a text with no Han back whole: skip its ~0.2 s load
        return text.strip().lower()
    from pypinyin import Style, lazy_pinyin  # loaded on first write only

    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    return " ".join(s.strip() for s in syllables if s.strip()).lower()


# --- ranked customer hits (search as you type) -----------------------------------------------


# What the child process runs (CustomerHits._build_in_process).
CHILD_BUILD = (
    "import sys; from crm_tui.storage.search import CustomerHits; "
    "CustomerHits._child_build(sys.argv[1])"
)


class _Cancelled(Exception):
    """A map build stopped by `CustomerHits.cancel`."""


@dataclass(frozen=True)
class Hits:
    """The customers matching a free-text expression: their places in the customers list's
    default order (`ranks`, deduplicated; sorted when `ordered`), live customers only."""

    ranks: list[int]
    ordered: bool
    by_place: list[str]  # customer id by place, as mapped when these hits were found

    def __len__(self) -> int:
        return len(self.ranks)

    def smallest(self, n: int) -> list[int]:
        return self.ranks[:n] if self.ordered else heapq.nsmallest(n, self.ranks)

    def ids(self, ranks: Iterable[int]) -> list[str]:
        by_place = self.by_place
        return [by_place[r] for r in ranks]


class CustomerHits:
    """Maps full-text hits to customers' places in the list order, in memory.

    A sorted page of customers matching '北京' would otherwise look up every hit's document,
    contact and customer row in SQLite (about 2 µs each, so 30 ms for 14,000 hits) and sort
    them all. Here a hit's document id indexes an array holding the place of its customer (for
    a contact's document, the contact's customer) in the `(sort_key, id)` order of live
    customers; the list's first page is the 50 smallest places. The map is rebuilt when the
    `search_epoch` counter (bumped by triggers, migration 0021) moves; until then a caller
    gets None and uses plain SQL. Exact: only live customers and live contacts are mapped.
    """

    INLINE_DOCS = 20_000  # smaller indexes are mapped at once; bigger ones in a thread
    SLICE_ROWS = 2_000  # a thread's build gives the GIL back after this many rows

    _cache: ClassVar[weakref.WeakKeyDictionary[Any, CustomerHits]] = weakref.WeakKeyDictionary()

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._epoch: int | None = None  # the epoch the map was built at
        self._ids: list[str] = []  # customer id by place
        self._place: array[int] = array("i")  # place of each docid's customer, -1 if none
        self._building: threading.Thread | None = None
        self._cancel = threading.Event()

    @classmethod
    def of(cls, db: Any) -> CustomerHits:
        """The one map of an open Database (it goes when the Database does)."""
        found = cls._cache.get(db)
        if found is None:
            found = cls._cache[db] = cls(str(db.path))
            weakref.finalize(db, found.cancel)  # a closed book's build stops at its next slice
        return found

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            from crm_tui.storage.engine import connect

            self._conn = connect(self.path, readonly=True)
        return self._conn

    def _epoch_now(self, conn: sqlite3.Connection) -> int | None:
        try:
            row = conn.execute("SELECT n FROM search_epoch").fetchone()
        except sqlite3.Error:
            return None  # a database before migration 0021
        return None if row is None else int(row[0])

    def ready(self, *, wait: bool = False) -> bool:
        """Whether the map matches the database now; starts a rebuild when it does not.

        A small index is mapped at once; a big one by a child process that a background
        thread waits for (about 0.26 s CPU at 100k customers, none of it holding this
        process's GIL; in slices in the thread if no child can run), and meanwhile this
        answers False (`wait=True` waits for it).
        """
        with self._lock:
            conn = self._connection()
            now = self._epoch_now(conn)
            if now is None:
                return False
            if self._epoch == now:
                return True
            thread = self._building
            if thread is None:
                top = conn.execute("SELECT coalesce(max(docid), 0) FROM search_doc").fetchone()
                if top[0] <= self.INLINE_DOCS:
                    built = self._build(conn)
                    if built is not None:
                        self._install(*built)
                    return self._epoch == now
                self._cancel = threading.Event()
                thread = self._building = threading.Thread(
                    target=self._build_in_thread,
                    args=(self._cancel,),
                    name="customer-hits",
                    daemon=True,
                )
                thread.start()
        if wait:
            thread.join()
            return self.ready()
        return False

    def cancel(self) -> None:
        """Stop a build under way (at its next slice); the next `ready()` starts again."""
        self._cancel.set()

    def _build_in_thread(self, cancel: threading.Event) -> None:
        from crm_tui.storage.engine import connect

        try:
            built = self._build_in_process(cancel)
            if built is None and not cancel.is_set():  # no child process here: in slices
                conn = connect(self.path, readonly=True)
                try:
                    built = self._build(conn, cancel, slice_rows=self.SLICE_ROWS)
                finally:
                    conn.close()
            if built is not None:
                with self._lock:
                    self._install(*built)
        finally:
            self._building = None

    def _build_in_process(
        self, cancel: threading.Event
    ) -> tuple[int, list[str], array[int]] | None:
        """The map built by a child process (plain sqlite3 and array, on another core):
        its ~0.2 s of Python loops then never hold this process's GIL, which the UI thread
        and the list's workers waited for, up to 5 ms a time, in the first seconds of a
        list. Reading it back is one split and one copy. None if cancelled or if the child
        failed (the caller then builds in slices)."""
        import crm_tui

        root = os.path.dirname(os.path.dirname(os.path.abspath(crm_tui.__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", CHILD_BUILD, self.path],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError:
            return None
        while True:
            try:
                data, _ = proc.communicate(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                if cancel.is_set():
                    proc.kill()
                    proc.communicate()
                    return None
        if proc.returncode != 0:
            return None
        try:
            header, _, rest = data.partition(b"\n")
            epoch, size, count = (int(x) for x in header.split())
            ids = rest[:size].decode().split("\n") if count else []
            by_doc = array("i")
            by_doc.frombytes(rest[size:])
        except ValueError:
            return None
        return (epoch, ids, by_doc) if len(ids) == count else None

    @staticmethod
    def _child_build(path: str) -> None:
        """In the child (CHILD_BUILD): build the map and write it to stdout — a header line
        `epoch bytes count`, the ids joined by newlines, then the place array's bytes."""
        from crm_tui.storage.engine import connect

        conn = connect(path, readonly=True)
        built = CustomerHits._build(conn)
        assert built is not None  # nothing cancels it here
        epoch, ids, by_doc = built
        text = "\n".join(ids).encode()
        out = sys.stdout.buffer
        out.write(f"{epoch} {len(text)} {len(ids)}\n".encode())
        out.write(text)
        out.write(by_doc.tobytes())
        out.flush()

    def _install(self, epoch: int, ids: list[str], by_doc: array[int]) -> None:
        self._ids, self._place, self._epoch = ids, by_doc, epoch

    @staticmethod
    def _build(
        conn: sqlite3.Connection,
        cancel: threading.Event | None = None,
        *,
        slice_rows: int = 1 << 30,
    ) -> tuple[int, list[str], array[int]] | None:
        """(epoch, customer id by place, place by docid), or None when cancelled.

        Read `slice_rows` rows at a time; between slices the thread sleeps 0 s, which hands
        the GIL to a waiting UI thread (~1-3 ms of Python per slice of 2,000 rows instead of
        one ~340 ms stretch), and stops if `cancel` is set.
        """

        def pause() -> None:
            if cancel is not None:
                time.sleep(0)
                if cancel.is_set():
                    raise _Cancelled

        def slices(sql: str) -> Iterable[list[Any]]:
            cursor = conn.execute(sql)
            while rows := cursor.fetchmany(slice_rows):
                yield rows
                pause()

        conn.execute("BEGIN")  # one snapshot for the epoch and the rows
        try:
            epoch = int(conn.execute("SELECT n FROM search_epoch").fetchone()[0])
            ids: list[str] = []
            for rows in slices(
                "SELECT id FROM customer INDEXED BY ix_customer_sort WHERE deleted = 0 "
                "ORDER BY sort_key, id"
            ):
                ids.extend(row[0] for row in rows)
            place: dict[str, int] = {}
            for start in range(0, len(ids), slice_rows):
                chunk = ids[start : start + slice_rows]
                place.update(zip(chunk, range(start, start + len(chunk)), strict=True))
                pause()
            top = conn.execute("SELECT coalesce(max(docid), 0) FROM search_doc").fetchone()[0]
            by_doc = array("i", [-1]) * (top + 1)
            place_of = place.get
            # Each document's customer (its own, or a live contact's): search_doc_owner,
            # migration 0141, instead of every contact and document (at 100k 0.64 -> 0.26 s).
            for rows in slices("SELECT docid, customer_id FROM search_doc_owner"):
                for docid, customer in rows:
                    by_doc[docid] = place_of(customer, -1)
        except _Cancelled:
            return None
        finally:
            conn.execute("COMMIT")
        return epoch, ids, by_doc

    def hits(self, expression: str, *, ordered: bool = True) -> Hits | None:
        """The places of the customers matching `expression`, or None if the map is stale."""
        if not self.ready():
            return None
        with self._lock:
            conn, by_doc, by_place, epoch = self._connection(), self._place, self._ids, self._epoch
            conn.execute("BEGIN")
            try:
                if self._epoch_now(conn) != epoch:
                    return None  # changed since the check above
                found = conn.execute(
                    "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH ?",
                    (expression,),
                ).fetchone()[0]
            finally:
                conn.execute("COMMIT")
        if not found:
            return Hits([], True, by_place)
        docs = json.loads(f"[{found}]")
        try:
            places = {by_doc[docs[0]]} if len(docs) == 1 else set(itemgetter(*docs)(by_doc))
        except IndexError:  # a document with no search_doc row (never written by the app)
            places = {by_doc[d] for d in docs if d < len(by_doc)}
        places.discard(-1)
        return Hits(sorted(places) if ordered else list(places), ordered, by_place)
