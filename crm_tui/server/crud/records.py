"""Provides the record store: partitions (who sees a row), snapshots and the change log.

Customers, contacts and other team data live in the `team` partition; follow-ups,
opportunities and expenses in their owner's `user:<id>` partition (managers read them all);
saved views in `self:<id>`, read by their owner only.
"""

from __future__ import annotations

import functools
import json
import operator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from crm_tui.domain.permissions import (
    READER_FIELDS,
    Actor,
    can_read_partition,
    own_partitions,
    reader_partitions,
)
from crm_tui.server.crud import conflicts, pool_standings
from crm_tui.server.crud.snapshots import full_clocks as full_clocks  # for pull.py
from crm_tui.server.crud.snapshots import js, snapshot_json
from crm_tui.server.models import Account, ChangeCounter, ChangeLog, Record


def utcnow() -> datetime:
    return datetime.now(UTC)


def actor_of(account: Account) -> Actor:
    """The rule book's view of a signed-in account."""
    return _actor(account.id, account.role)


@functools.lru_cache(maxsize=1024)
def _actor(user_id: str, role: str) -> Actor:
    # Actor is immutable: one per (id, role) instead of three per pushed record.
    return Actor(user_id, role)


def can_read(account: Account, partition: str) -> bool:
    return can_read_partition(actor_of(account), partition)


def can_read_row(account: Account, rec: Record | Row) -> bool:
    """The row's own partition, or one of its reader partitions (READER_FIELDS)."""
    return can_read(account, rec.partition) or f"read:{account.id}" in rec.readers.split()


def readable_clause(account: Account) -> Any:
    mine = col(ChangeLog.partition).in_(list(own_partitions(account.id)))
    if actor_of(account).manager:
        return or_(mine, col(ChangeLog.partition).startswith("user:"))
    return mine


# Record's columns, as a batch `Row` holds them and `ChangeSet` writes them.
ROW_COLUMNS = (
    "id",
    "entity",
    "owner_id",
    "partition",
    "version",
    "deleted",
    "data",
    "field_hlc",
    "field_version",
    "created_at",
    "updated_at",
    "updated_by",
    "readers",
)


@dataclass(eq=False)
class Row:
    """A record as the batch push path holds it: Record's columns as plain attributes, read
    and written in bulk with SQLAlchemy Core (an ORM instance per row costs ~100 us)."""

    id: str
    entity: str
    owner_id: str | None
    partition: str
    deleted: bool
    data: str
    field_hlc: str
    created_at: datetime
    updated_at: datetime
    updated_by: str | None = None
    version: int = 0
    field_version: str = "{}"
    readers: str = ""
    new: bool = False  # not in the database yet

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ROW_COLUMNS}


@dataclass
class ChangeSet:
    """The rows one write transaction touched; `commit` logs them with seqs taken last.

    A touched row is a batch `Row` (written here, in bulk) or an ORM `Record` (flushed by
    its session); both get their version and change-log row here.
    """

    rows: dict[str, Any] = field(default_factory=dict)
    old_partitions: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, str | None]] = field(default_factory=dict)
    unwritten: dict[str, Row] = field(default_factory=dict)
    # Per row: the device every touch of this transaction echoes exactly (else None).
    origins: dict[str, str | None] = field(default_factory=dict)
    # The newest object touched per id, kept after `commit` (a push answers with it).
    last: dict[str, Any] = field(default_factory=dict)
    # (row, user id, conflict JSON): a member's value a touch overwrote, logged as a
    # "conflict" change in her `self:` partition so her next pull records it (merge.py).
    notices: list[tuple[Any, str, str]] = field(default_factory=list)

    def touch(
        self,
        rec: Any,
        *,
        fields: dict[str, str | None] | None = None,
        old_partition: str | None = None,
        origin: str | None = None,
        notices: list[tuple[str, Any]] | None = None,
    ) -> None:
        """Mark `rec` changed; `fields` maps each changed field to who changed it; `origin`:
        the device whose values these are exactly, on the version it had seen (pull sends
        that device only the version: CONTRACT-21.md). Any other touch clears it."""
        if rec.id in self.rows and self.origins.get(rec.id) != origin:
            origin = None
        self.origins[rec.id] = origin
        self.rows[rec.id] = rec
        self.last[rec.id] = rec
        if isinstance(rec, Row):
            self.unwritten[rec.id] = rec
        self.fields.setdefault(rec.id, {}).update(fields or {})
        if old_partition and old_partition != rec.partition:
            self.old_partitions.setdefault(rec.id, old_partition)
        for user_id, conflict in notices or ():
            self.notices.append((rec, user_id, conflict.model_dump_json()))

    def write_rows(self, session: Session, *, new: bool = True) -> None:
        """Insert or update the touched batch rows: one executemany per kind (`new=False`:
        only the rows already stored)."""
        if not self.unwritten:
            return
        table = Record.__table__
        conn = session.connection()
        rows = [r for r in self.unwritten.values() if new or not r.new]
        for r in rows:
            del self.unwritten[r.id]
        insert_many(conn, table, [r.values() for r in rows if r.new])
        update_many(conn, table, [r.values() for r in rows if not r.new])
        for r in rows:
            r.new = False

    def commit(self, session: Session) -> None:
        entries: list[tuple[str, str, Any]] = []
        for row_id, rec in self.rows.items():
            old = self.old_partitions.get(row_id)
            if not rec.readers and not old and rec.entity not in READER_FIELDS:
                entries.append(("upsert", rec.partition, rec))  # the common case: one entry
                continue
            # Only an entity with reader fields needs its values read (READER_FIELDS).
            values = json.loads(rec.data) if rec.entity in READER_FIELDS else {}
            readers = reader_partitions(rec.entity, values, rec.owner_id)
            gone = set(rec.readers.split()) - set(readers.split())
            if old and old != rec.partition:
                gone.add(old)
            # Removes first: a reader who still sees the row another way gets it back below.
            entries.extend(("remove", p, rec) for p in sorted(gone - {rec.partition}))
            entries.append(("upsert", rec.partition, rec))
            entries.extend(("also", p, rec) for p in readers.split())
            if readers != rec.readers:
                _set(rec, "readers", readers)
        if not entries:
            return
        if self.notices:
            self.notices = conflicts.readable_notices(session, self.notices)
        conn = session.connection()
        # The counter row stays locked from its update to commit, so a later seq can only
        # belong to a later commit. New rows are inserted after it with their version at
        # once (one COPY: about what updating their version would cost under the lock, and
        # no insert before it). SQLite writes one transaction at a time anyway; PostgreSQL
        # writers run in parallel up to the counter, so changed rows are written before it
        # (outside the serialized part) and get their version in one update after it.
        if conn.dialect.name == "postgresql":
            self.write_rows(session, new=False)
        session.flush()
        counter = ChangeCounter.__table__
        top = conn.execute(
            update(counter)
            .where(counter.c.id == 1)
            .values(value=counter.c.value + len(entries) + len(self.notices))
            .returning(counter.c.value)
        ).scalar_one()
        seq = top - len(entries) - len(self.notices)
        versions_out: list[dict[str, Any]] = []
        log: list[dict[str, Any]] = []
        snapshots: dict[str, tuple[str, str | None]] = {}
        for op, partition, rec in entries:
            seq += 1
            data = origin = None
            if op == "also":
                # The same snapshot again for a reader: the row's version stays its first
                # upsert's seq, so pull does not take this copy as superseding that one.
                op = "upsert"
                data, origin = snapshots[rec.id]
            elif op == "upsert":
                origin = self.origins.get(rec.id)
                _set(rec, "version", seq)
                _set(
                    rec,
                    "field_version",
                    field_versions(rec.field_version, self.fields.get(rec.id, {}), seq),
                )
                if rec.id not in self.unwritten:  # already stored: only its version
                    versions_out.append(
                        {
                            "id": rec.id,
                            "version": seq,
                            "field_version": rec.field_version,
                            "readers": rec.readers,
                        }
                    )
                data = snapshot_json(rec)
                snapshots[rec.id] = (data, origin)
            log.append(
                {
                    "seq": seq,
                    "partition": partition,
                    "entity": rec.entity,
                    "row_id": rec.id,
                    "op": op,
                    "data": data,
                    "origin": origin,
                }
            )
        log += conflicts.notice_log(self.notices, seq)  # after the rows' seqs
        self.write_rows(session)
        update_many(conn, Record.__table__, versions_out)
        insert_many(conn, ChangeLog.__table__, log)
        # Issue 18: the pool's standings of the customers these rows touch (after the
        # counter: on PostgreSQL one commit at a time refreshes them).
        pool_standings.on_commit(session, self.rows.values())
        self.rows.clear()
        self.old_partitions.clear()
        self.fields.clear()
        self.origins.clear()
        self.notices.clear()


def field_versions(stored: str, fields: dict[str, str | None], seq: int) -> str:
    """The row's `field_version` JSON with each of `fields` (name -> who) changed at `seq`;
    a new row's written without parsing '{}' (the same text json.dumps gives). A create
    touches `{"*": who}`: every field at its seq ("*" read as merge.py reads clocks)."""
    if stored != "{}":
        versions = json.loads(stored)
        for name, who in fields.items():
            versions[name] = [seq, who]
        return json.dumps(versions)
    return _versions_text(tuple(fields.items())).replace(SEQ_MARK, str(seq))


# Stands for the seq in a kept text (json.dumps writes a NUL as \u0000, never as itself).
SEQ_MARK = "\x00"


@functools.lru_cache(maxsize=512)
def _versions_text(fields: tuple[tuple[str, str | None], ...]) -> str:
    """A new row's field_version JSON with SEQ_MARK for the seq, per (field, who) list: a
    batch's rows of one kind repeat it."""
    return "{" + ", ".join(f"{js(n)}: [{SEQ_MARK}, {js(w)}]" for n, w in fields) + "}"


def any_of(conn: Connection, ids: list[Any]) -> tuple[str, tuple[Any, ...]]:
    """A driver-SQL test of a column against `ids` and its parameters: `IN (?, …)` on
    SQLite, `= ANY(%s)` with one array on PostgreSQL (psycopg parses a statement of hundreds
    of placeholders afresh on every call). Other parameters: `mark(conn)`."""
    if conn.dialect.name == "postgresql":
        return "= ANY(%s)", (list(ids),)
    return f"IN ({', '.join(['?'] * len(ids))})", tuple(ids)


def mark(conn: Connection) -> str:
    """The driver's positional parameter mark."""
    return "%s" if conn.dialect.name == "postgresql" else "?"


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys) in bulk: a driver-level executemany on
    SQLite (in-process: no round trips); on PostgreSQL one COPY in the same transaction
    (psycopg's executemany pipelines a statement per row, a long multi-row VALUES text
    costs more to parse on the client than to run, and arrays for `unnest` were dumped
    value by value in Python; COPY's rows are written by psycopg's C code).

    SQLAlchemy's per-row parameter building for an executemany cost more than SQLite's own
    insert; the column types' bind processors (SQLite datetimes as text) are applied here.
    """
    if not rows:
        return
    names = list(rows[0])
    columns = ", ".join(_quote(conn, n) for n in names)
    params = _params(conn, table, names, rows)
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(
            f"INSERT INTO {_quote(conn, table.name)} ({columns}) "
            f"VALUES ({', '.join(['?'] * len(names))})",
            params,
        )
        return
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:  # type: ignore[union-attr]
        with cur.copy(f"COPY {_quote(conn, table.name)} ({columns}) FROM STDIN") as copy:
            for values in params:
                copy.write_row(values)


def update_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """UPDATE rows by `id`: each dict holds `id` and the columns to set (the same keys); on
    PostgreSQL one `UPDATE … FROM unnest(…)`."""
    if not rows:
        return
    names = [n for n in rows[0] if n != "id"]
    params = _params(conn, table, [*names, "id"], rows)
    name = _quote(conn, table.name)
    if conn.dialect.name != "postgresql":
        sets = ", ".join(f"{_quote(conn, n)} = ?" for n in names)
        conn.exec_driver_sql(f"UPDATE {name} SET {sets} WHERE id = ?", params)
        return
    sets = ", ".join(f"{_quote(conn, n)} = v.{_quote(conn, n)}" for n in names)
    aliases = ", ".join(_quote(conn, n) for n in [*names, "id"])
    conn.exec_driver_sql(
        f"UPDATE {name} SET {sets} FROM {_unnest(conn, table, [*names, 'id'])} AS v({aliases}) "
        f"WHERE {name}.id = v.id",
        _columns(params),
    )


def _unnest(conn: Connection, table: Table, names: list[str]) -> str:
    """`unnest(%s::type[], …)`: one array parameter per column, typed as the column."""
    types = [table.c[n].type.compile(dialect=conn.dialect) for n in names]
    return f"unnest({', '.join(f'%b::{t}[]' for t in types)})"


def _columns(params: list[tuple[Any, ...]]) -> tuple[list[Any], ...]:
    return tuple(list(column) for column in zip(*params, strict=True))


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _params(
    conn: Connection, table: Table, names: list[str], rows: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    dialect = conn.dialect
    procs = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    pick = operator.itemgetter(*names)  # one C call per row (a tuple for 2+ names)
    if len(names) == 1:
        values = [(pick(r),) for r in rows]
    else:
        values = [pick(r) for r in rows]
    converted = [(i, p) for i, p in enumerate(procs) if p is not None]
    if not converted:
        return values
    out = []
    for row in values:
        items = list(row)
        last: Any = None
        done: Any = None
        for i, proc in converted:
            value = items[i]
            if value is None:
                continue
            if value is last:  # a new row's created_at is its updated_at: converted once
                items[i] = done
                continue
            done = proc(value)
            items[i] = done
            last = value if type(value) is datetime else None
        out.append(tuple(items))
    return out


def _set(rec: Any, name: str, value: Any) -> None:
    """Set a column the change set writes itself: on an ORM record as already stored, so
    its session does not write it a second time."""
    if isinstance(rec, Row):
        setattr(rec, name, value)
    else:
        set_committed_value(rec, name, value)
