"""Provides `BulkWriter`: many new records of one type written in batches, for imports.

A repository `create` costs a few ORM round trips per record (~1-2k records/s). An import
of 100k rows instead prepares plain rows in memory, runs the repository's own
`before_create` rules on each, and writes the records, their outbox rows, sort keys and
search documents with `executemany` inside the caller's transaction, so it stays all or
nothing. Undo entries are not written: undoing 100k single creates one by one is not
something a rep wants from `u`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from operator import itemgetter
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import orjson
from sqlmodel import Session

from crm_tui.domain.field_clocks import one_clock_json
from crm_tui.domain.fields import ENTITIES, check_record, to_wire
from crm_tui.domain.hlc import MAX_COUNTER, Timestamp
from crm_tui.domain.models import MODELS
from crm_tui.storage import search
from crm_tui.storage.sort_keys import sort_key as _sort_key

if TYPE_CHECKING:
    import sqlite3

    from crm_tui.storage.database import Database

_SEARCHABLE = ("customer", "contact")
# Entities whose repository create hook only sets the pinyin sort key (see sort_key).
_SORT_KEY_ONLY = ("customer", "contact")
# Values stored and sent as they are; anything else goes through to_column / to_wire.
_PLAIN = (str, int, float, type(None))
_PLAIN_ANNOTATIONS = (str, int, float, str | None, int | None, float | None)
_NOT_FLOAT = (str, int, bool, str | None, int | None, bool | None)
# One encoder: json.dumps(..., ensure_ascii=False) builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False)


def payload_json(payload: dict[str, Any], floats: Iterable[str] | None = None) -> str:
    """`json.dumps(payload, ensure_ascii=False)` as JSON readers see it, by orjson (a sixth
    of the time per record). What orjson refuses (an integer past 64 bits, a lone
    surrogate) or would write otherwise (NaN and infinities become null) goes to json.
    `floats`: the only keys that may hold a float (None: any)."""
    maybe = payload.values() if floats is None else [payload.get(k) for k in floats]
    if not all(math.isfinite(v) for v in maybe if type(v) is float):
        return _JSON.encode(payload)
    try:
        return orjson.dumps(payload).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return _JSON.encode(payload)


# Kept for callers: the sort key lives in sort_keys.py.
sort_key = _sort_key


def to_column(value: Any) -> Any:
    """A typed value as SQLite stores it (the same text SQLAlchemy writes)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def raw_connection(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under a session, inside the session's open transaction."""
    return session.connection().connection.driver_connection  # type: ignore[return-value]


class BulkWriter:
    """Collects new records of one entity and writes them in one go (`flush`)."""

    def __init__(self, db: Database, session: Session, entity: str) -> None:
        self.db = db
        self.session = session
        self.entity = entity
        self.spec = ENTITIES[entity]
        self.repo = db.repos.by_entity[entity]
        model = MODELS[entity]
        self.columns = list(model.model_fields)
        self._defaults = {
            name: (None if info.is_required() else info.get_default(call_default_factory=True))
            for name, info in model.model_fields.items()
        }
        self._fields = [n for n in self.spec.field_names if n in self._defaults]
        # A record's stored row and outbox payload are read out of its attributes by one C
        # call each; only the columns that may hold a date, a time or a yes/no are converted
        # (customers and contacts; other entities' create hooks may set anything, so all).
        self._row_of = itemgetter(*self.columns)
        self._payload_of = itemgetter(*self._fields)
        self._sort_key_only = entity in _SORT_KEY_ONLY
        kinds = {f.name: f.kind for f in self.spec.fields}
        typed = {
            name
            for name, info in model.model_fields.items()
            if info.annotation not in _PLAIN_ANNOTATIONS
            or kinds.get(name) in ("date", "datetime", "bool")
        }
        every = not self._sort_key_only
        self._typed_columns = [i for i, c in enumerate(self.columns) if every or c in typed]
        self._typed_fields = [i for i, c in enumerate(self._fields) if every or c in typed]
        # The payload's fields that may hold a float (checked for NaN before orjson).
        self._floats = tuple(
            n for n in self._fields if model.model_fields[n].annotation not in _NOT_FLOAT
        )
        self.pending: list[SimpleNamespace] = []
        self.expected = 0  # how many records the caller means to add (0: unknown)
        self.written = 0
        self._deferred: list[str] | None = None  # index SQL to run at the end, once decided
        # One moment for the whole batch: the records are created in one transaction.
        self._now = db.clock.now()
        self._stored_now = to_column(self._now)

    def prepare(self, values: Mapping[str, Any], row_id: str) -> SimpleNamespace:
        """A new record from parsed values with the repository's create rules applied.

        Raises ValidationErrors when the record as a whole breaks a rule. Reference fields
        are the caller's to check (it knows what this import itself creates).
        """
        now = self._now
        rec = SimpleNamespace()
        attrs = rec.__dict__
        attrs.update(self._defaults)
        attrs.update(id=row_id, owner_id=self.db.user_id, created_at=now, updated_at=now)
        given = {k: v for k, v in values.items() if v is not None}
        attrs.update(given)
        if self._sort_key_only:  # their create hook only sets the pinyin sort key
            check_record(self.entity, attrs)
            attrs["sort_key"] = sort_key(attrs["name"])
            return rec
        # Required fields and record rules first: the create hooks may rely on them.
        check_record(self.entity, self.user_fields(rec))
        self.repo.before_create(self.session, rec, dict(values))  # type: ignore[arg-type]
        attrs.update(given)  # what the file says wins over derived defaults
        return rec

    def user_fields(self, rec: SimpleNamespace) -> dict[str, Any]:
        return {name: getattr(rec, name) for name in self._fields}

    def add(self, rec: SimpleNamespace) -> None:
        self.pending.append(rec)

    def expect(self, count: int) -> None:
        """The caller means to add about `count` records: large imports write their rows
        before the table's indexes are built again (see defer_indexes)."""
        self.expected = max(count, 0)

    def write_pending(self) -> int:
        """Write the pending records now, inside the caller's transaction (a streaming
        import calls this every CHUNK records, so memory holds one chunk, not the file);
        rebuilt indexes wait for `flush`."""
        if not self.pending:
            return 0
        conn = raw_connection(self.session)
        if self._deferred is None:
            adding = max(self.expected, len(self.pending))
            self._deferred = defer_indexes(conn, self.spec.table, adding)
        # A large page cache while rows go into a large table: its indexes, maintained row
        # by row, stay in memory, not spilled. Into a small one (indexes dropped, built at
        # the end) it would only add to the import's memory.
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute(f"PRAGMA cache_size = {-16384 if self._deferred else -65536}")
        try:
            for start in range(0, len(self.pending), CHUNK):
                self._write(conn, self.pending[start : start + CHUNK])
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache)}")
        count = len(self.pending)
        self.written += count
        self.pending = []
        return count

    def flush(self) -> int:
        """Write every pending record with its outbox row and search document, build the
        indexes a large write deferred, and persist the clock; returns the records written
        since the last flush.

        The stored rows, outbox payloads and search documents are built and written
        `CHUNK` records at a time, so a flush of 100k records holds one chunk of them
        beside the records, not three copies of everything."""
        self.write_pending()
        if not self.written:
            return 0
        conn = raw_connection(self.session)
        for sql in self._deferred or ():
            conn.execute(sql)
        self._deferred = None
        self.db.tick(self.session)  # persists the clock past every stamp used above
        written, self.written = self.written, 0
        return written

    def _stamps(self, count: int) -> list[str]:
        """`count` clock values, what `count` calls of db.hlc.tick() would give on one
        millisecond: one tick, then its counter counted on (text made once per chunk, not
        a Timestamp and its encoding per record); the clock is left at the last."""
        hlc = self.db.hlc
        first = hlc.tick()
        wall, counter, node = first.wall_ms, first.counter, first.node
        if count < 2 or counter + count - 1 > MAX_COUNTER:  # past it, tick() rolls over
            return [first.encode(), *(hlc.tick().encode() for _ in range(count - 1))]
        hlc.last = Timestamp(wall, counter + count - 1, node)
        head, tail = f"{wall:016d}-", f"-{node}"
        return [f"{head}{c:06d}{tail}" for c in range(counter, counter + count)]

    def _write(self, conn: sqlite3.Connection, records: list[SimpleNamespace]) -> None:
        from crm_tui.storage.ids import new_id

        rows, outbox = [], []
        now, stored_now = self._now, self._stored_now
        entity, owner_key = self.entity, "owner_id"
        row_of, payload_of, fields = self._row_of, self._payload_of, self._fields
        typed_columns, typed_fields = self._typed_columns, self._typed_fields
        floats = self._floats
        for rec, stamp in zip(records, self._stamps(len(records)), strict=True):
            attrs = rec.__dict__
            # Made in one step: one clock for every field (domain/field_clocks.py), ~80
            # bytes instead of ~1.4 KB of per-field clocks in a customer's stored row.
            attrs["field_hlc"] = one_clock_json(stamp)
            row = list(row_of(attrs))
            for i in typed_columns:
                v = row[i]
                if type(v) not in _PLAIN:
                    row[i] = stored_now if v is now else to_column(v)
            rows.append(row)
            values = list(payload_of(attrs))
            for i in typed_fields:
                v = values[i]
                if type(v) not in _PLAIN:
                    values[i] = to_wire(v)
            # Every field, nulls included, as a repository create sends it: a field missing
            # from the server's copy is one a laptop's row keeps when it is put back to the
            # server's version (a lost or refused edit of an empty cell stayed in that book:
            # tests/io/test_import_sync.py).
            payload = dict(zip(fields, values, strict=True))
            payload[owner_key] = attrs["owner_id"]
            outbox.append(
                (new_id(), entity, attrs["id"], "create", payload_json(payload, floats), 0, stamp)
            )
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        conn.executemany(f'INSERT INTO "{self.spec.table}" ({cols}) VALUES ({marks})', rows)
        conn.executemany(
            "INSERT INTO outbox(mutation_id, entity, row_id, kind, payload, base_version, hlc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            outbox,
        )
        if self.entity in _SEARCHABLE:
            index_records(conn, self.entity, [vars(r) for r in records])


# Records built and written at a time by `BulkWriter.flush` (and pending in an import):
# 2,000 rather than 5,000 took 100k customers from 187 to 169 MB peak RSS at the same CPU.
CHUNK = 2000
# Below this many rows, maintaining the indexes row by row costs less than rebuilding them.
DEFER_INDEXES_FROM = 5000


def defer_indexes(conn: sqlite3.Connection, table: str, adding: int) -> list[str]:
    """Drop the secondary indexes of `table` when `adding` rows at least double it, and
    return the SQL that builds them again (the caller runs it after its inserts, in the
    same transaction, so a rollback keeps them). A customer has ten indexes: inserting
    20k new ones with them maintained row by row took 4x as long as sorting them once."""
    if adding < DEFER_INDEXES_FROM:
        return []
    # max(rowid) is one b-tree descent; count(*) would read a million-row table.
    present = conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').fetchone()[0]
    if present > adding:
        return []
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in indexes]


def index_records(conn: sqlite3.Connection, entity: str, records: Iterable[dict]) -> None:
    """Add search documents for new customers or contacts (not yet in the index)."""
    records = list(records)
    companies: dict[str, str] = {}
    if entity == "contact":
        wanted = list({r["customer_id"] for r in records})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            companies.update(
                conn.execute(
                    f"SELECT id, name FROM customer WHERE id IN ({marks})", chunk
                ).fetchall()
            )
    first = conn.execute("SELECT coalesce(max(docid), 0) FROM search_doc").fetchone()[0] + 1
    docs, bodies = [], []
    for offset, rec in enumerate(records):
        docid = first + offset
        docs.append((docid, entity, rec["id"]))
        company = companies.get(rec.get("customer_id") or "")
        bodies.append((docid, search.index_text(search.searchable_parts(entity, rec, company))))
    conn.executemany("INSERT INTO search_doc(docid, entity, row_id) VALUES (?, ?, ?)", docs)
    conn.executemany("INSERT INTO search_fts(rowid, body) VALUES (?, ?)", bodies)


def rebuild_search_index(conn: sqlite3.Connection) -> None:
    """Drop and rebuild every search document from the live customers and contacts, and
    the knowledge base's articles, questions and answers."""
    from crm_tui.domain.search_text import index_text
    from crm_tui.storage.repos_kb import KbAnswerRepo, KbArticleRepo, KbQuestionRepo

    conn.execute("DELETE FROM search_fts")
    conn.execute("DELETE FROM search_doc")
    for entity in _SEARCHABLE:
        cur = conn.execute(f'SELECT * FROM "{entity}" WHERE deleted = 0')
        names = [d[0] for d in cur.description]
        while batch := cur.fetchmany(5000):
            index_records(conn, entity, [dict(zip(names, row, strict=True)) for row in batch])
    for repo in (KbArticleRepo, KbQuestionRepo, KbAnswerRepo):
        cur = conn.execute(f'SELECT * FROM "{repo.entity}" WHERE deleted = 0')
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            rec = SimpleNamespace(**dict(zip(names, row, strict=True)))
            body = index_text(repo.parts(repo, rec))  # type: ignore[arg-type]
            done = conn.execute(
                "INSERT INTO search_doc(entity, row_id) VALUES (?, ?)", (repo.entity, rec.id)
            )
            fts = "INSERT INTO search_fts(rowid, body) VALUES (?, ?)"
            conn.execute(fts, (done.lastrowid, body))
