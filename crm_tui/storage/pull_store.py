"""Provides `apply_page`: one pulled page of changes written with its cursor in one SQLite
transaction, on the plain sqlite3 connection.

A new laptop pulls a million rows, so a page is written with one `executemany` per entity
and row shape (`INSERT … ON CONFLICT(id) DO UPDATE`, so the derived-data triggers fire as
for any write), wire values turned into stored text without building ORM objects, sort keys
from the cached pinyin converter, and search documents of new customers and contacts added
in bulk. Only the rare rows go through the repository one by one: rows with pending outbox
changes (`Repository.apply_remote` lays them back over the pulled row), updates of rows
already indexed for search, and removals.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from crm_tui.storage import conflict_notices, outbox, parking, pull_indexes, pulled_rows
from crm_tui.storage.merge import PulledRow, Shape, shape

if TYPE_CHECKING:
    import sqlite3

    from sqlmodel import Session

    from crm_tui.storage.database import Database

CURSOR_KEY = outbox.CURSOR_KEY  # kept for callers; defined once in outbox.py
_SEARCHABLE = ("customer", "contact")
# While pulling, a 64 MB page cache (the first sync defers the secondary indexes, so the
# primary keys are what it must hold; 128 MB cost 64 MB of RSS and saved no time at 110k
# rows), and WAL checkpoints every 64 MB rather than every 4 MB (each rewrote the same hot
# index pages).
_PULL_PRAGMAS = ("PRAGMA cache_size = -65536", "PRAGMA wal_autocheckpoint = 16384")


PulledChange = parking.PulledChange
stored_datetime = pulled_rows.stored_datetime  # kept for callers
_row = pulled_rows.row
_missing_parents = pulled_rows.missing_parents

_Shape = Shape
_shape = shape


def _newest_clock(data: dict[str, Any], newest: str) -> str:
    clocks = data.get("field_hlc")
    if clocks:
        top = max(clocks.values())
        if top > newest:
            return top
    return newest


def pending_changes(conn: sqlite3.Connection, row_ids: Sequence[str]) -> dict[str, list[dict]]:
    """This laptop's outbox changes for these rows, oldest first (none: the common case)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not row_ids or conn.execute("SELECT 1 FROM outbox LIMIT 1").fetchone() is None:
        return found
    rows = conn.execute(
        "SELECT row_id, kind, payload, hlc FROM outbox "
        "WHERE row_id IN (SELECT value FROM json_each(?)) ORDER BY client_seq",
        (json.dumps(list(row_ids)),),
    )
    for row_id, kind, payload, hlc in rows:
        found[row_id].append({"kind": kind, "payload": json.loads(payload), "hlc": hlc})
    return found


def _local(conn: sqlite3.Connection, table: str, row_ids: list[str]) -> dict[str, tuple]:
    """(server_version, extra) of the rows this laptop already has."""
    if conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is None:
        return {}  # a new laptop: nothing to look up
    rows = conn.execute(
        f'SELECT id, server_version, extra FROM "{table}" '
        "WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(row_ids),),
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def _stored_rows(conn: sqlite3.Connection, table: str, row_ids: list[str]) -> list[dict]:
    cur = conn.execute(
        f'SELECT * FROM "{table}" WHERE id IN (SELECT value FROM json_each(?))',
        (json.dumps(row_ids),),
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]


def _upsert(conn: sqlite3.Connection, shape: _Shape, rows: list[dict[str, Any]]) -> None:
    """One executemany per set of columns (pages are nearly always one shape)."""
    by_keys: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for row in rows:
        keys = tuple(row)
        by_keys[keys].append(tuple(row.values()))
    for keys, values in by_keys.items():
        cols = ", ".join(f'"{k}"' for k in keys)
        marks = ", ".join("?" for _ in keys)
        sets = ", ".join(f'"{k}" = excluded."{k}"' for k in keys if k != "id")
        conn.executemany(
            f'INSERT INTO "{shape.table}" ({cols}) VALUES ({marks}) '
            f"ON CONFLICT(id) DO UPDATE SET {sets}",
            values,
        )


def _index_new(
    conn: sqlite3.Connection, session: Session, db: Database, entity: str, rows: list[dict]
) -> None:
    """Search documents for rows new to this laptop; a new customer also re-indexes its
    contacts that arrived first (a customer edited later comes later in the log)."""
    from crm_tui.storage.bulk import index_records

    live = [r for r in rows if not r["deleted"]]
    if entity == "customer":
        live = [r for r in live if r.get("name")]
    if live:
        index_records(conn, entity, live)
    if entity != "customer" or not live:
        return
    early = conn.execute(
        "SELECT id FROM contact WHERE deleted = 0 AND customer_id IN "
        "(SELECT value FROM json_each(?))",
        (json.dumps([r["id"] for r in live]),),
    ).fetchall()
    if early:
        from crm_tui.domain.models import Contact
        from crm_tui.storage.repositories import _index_contact

        for (contact_id,) in early:
            contact = session.get(Contact, contact_id)
            if contact is not None:
                _index_contact(session, contact)


def cursor_of(db: Database) -> int:
    """The seq this laptop has pulled up to."""
    return int(db.state(CURSOR_KEY) or 0)


def parked_count(db: Database) -> int:
    """Pulled rows parked: waiting for their parent, or not appliable (with the reason)."""
    return parking.count(db.engine)


# The first sync's index deferral lives in pull_indexes.py; these names stay for callers.
DEFERRED_KEY = pull_indexes.DEFERRED_KEY
begin_pull = pull_indexes.begin_pull
end_pull = pull_indexes.end_pull


def apply_page(
    db: Database, changes: Sequence[PulledChange], new_cursor: int, *, bulk: bool = False
) -> int:
    """Apply one page of changes and its cursor in one transaction; returns rows written.

    Changes already seen (seq <= the row's server_version) are skipped; within a page only
    a row's newest change counts. A row whose parent has not arrived yet is parked until it
    does. The local clock ratchets past every clock seen. `bulk` (a pull of many pages)
    enlarges the page cache until `end_pull`.

    The page is first written without savepoints: a SAVEPOINT around a page's upserts made
    SQLite journal every index page they touched, and writing 100k follow-ups took 7x as
    long. Only when a row's values cannot be stored is the page written again, carefully
    (a savepoint per row, the bad ones parked with the reason).
    """
    try:
        return _apply_page(db, changes, new_cursor, bulk=bulk, careful=False)
    except Exception as exc:
        if not parking.is_data_error(exc):
            raise
    return _apply_page(db, changes, new_cursor, bulk=bulk, careful=True)


def _apply_page(
    db: Database,
    changes: Sequence[PulledChange],
    new_cursor: int,
    *,
    bulk: bool,
    careful: bool,
) -> int:
    from crm_tui.storage.bulk import raw_connection

    write = _apply_guarded if careful else _apply
    with db.transaction() as s:
        conn = raw_connection(s)
        # A page may name a parent after its child; check references at commit instead.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        if bulk:
            for pragma in _PULL_PRAGMAS:
                conn.execute(pragma)
        changes = conflict_notices.take_notices(s, db, changes)  # not rows: logged apart
        applied, newest, arrived = write(db, s, conn, changes)
        while arrived:  # rows parked earlier whose parent came with this page
            more = parking.unpark(conn, arrived)
            if not more:
                break
            count, top, arrived = write(db, s, conn, more)
            applied += count
            newest = max(newest, top)
        if newest:
            _observe(db, newest)
        if new_cursor > int(db.state(CURSOR_KEY) or 0):
            db.set_state(CURSOR_KEY, str(new_cursor))
    return applied


def _observe(db: Database, stamp: str) -> None:
    try:
        db.hlc.observe(stamp)
    except (ValueError, TypeError, OverflowError):
        return  # a malformed clock in a pulled row: ignored, never a stopped sync
    db.set_state(outbox.LAST_HLC_KEY, db.hlc.now().encode())


def retry_parked(db: Database) -> int:
    """Try again every row parked because it could not be applied (a newer client or a fix
    on the server may have made it appliable); those that still fail are parked again with
    the reason. Returns rows written. Run at the start of each pull."""
    from crm_tui.storage.bulk import raw_connection

    with db.transaction() as s:
        conn = raw_connection(s)
        if not parking.has_bad(conn):
            return 0
        conn.execute("PRAGMA defer_foreign_keys = ON")
        applied, newest, _ = _apply_guarded(db, s, conn, parking.unpark_bad(conn))
        if newest:
            _observe(db, newest)
    return applied


def _apply_guarded(
    db: Database, s: Session, conn: sqlite3.Connection, changes: Sequence[PulledChange]
) -> tuple[int, str, list[str]]:
    """`_apply`, and when a row's values cannot be stored (OverflowError, a bad date…), the
    changes one by one, each in its own savepoint: the bad ones are parked with the reason
    and the rest are written, so one bad row never stops the sync."""
    try:
        with _savepoint(s, conn):
            return _apply(db, s, conn, changes)
    except Exception as exc:
        if not parking.is_data_error(exc):
            raise
    latest: dict[str, PulledChange] = {}
    for change in changes:
        latest[change.row_id] = change
    applied, newest, written = 0, "", []
    for change in sorted(latest.values(), key=lambda c: c.seq):
        try:
            with _savepoint(s, conn):
                count, top, rows = _apply(db, s, conn, [change])
        except Exception as exc:
            if not parking.is_data_error(exc):
                raise
            parking.park(conn, change, reason=parking.describe(exc))
            continue
        applied += count
        newest = max(newest, top)
        written += rows
    return applied, newest, written


@contextmanager
def _savepoint(s: Session, conn: sqlite3.Connection) -> Iterator[None]:
    """A savepoint on the page's connection; on failure the ORM session forgets what it
    flushed since (its objects no longer match the rows)."""
    conn.execute("SAVEPOINT pull_rows")
    try:
        yield
    except BaseException as exc:
        if not conn.in_transaction:
            # The ORM rolled the whole transaction back (a failed flush): nothing to park
            # into; the page fails as a whole and is pulled again.
            raise RuntimeError(f"a pulled row could not be written: {exc}") from exc
        conn.execute("ROLLBACK TO pull_rows")
        conn.execute("RELEASE pull_rows")
        s.expunge_all()
        raise
    conn.execute("RELEASE pull_rows")


def _apply(
    db: Database, s: Session, conn: sqlite3.Connection, changes: Sequence[PulledChange]
) -> tuple[int, str, list[str]]:
    """Write changes; returns (rows written, newest clock seen, ids of rows written)."""
    applied = 0
    newest = ""
    written: list[str] = []
    latest: dict[str, PulledChange] = {}
    for change in changes:
        latest[change.row_id] = change
    by_entity: dict[str, list[PulledChange]] = defaultdict(list)
    for change in latest.values():
        if change.entity in db.repos.by_entity:
            by_entity[change.entity].append(change)
    pending = pending_changes(conn, list(latest))
    incoming = {c.row_id for c in latest.values() if c.op == "upsert" and c.data}
    missing: dict[str, str] = {}
    while True:  # a child of a parked row is parked too
        found = _missing_parents(conn, list(latest.values()), incoming - set(missing))
        if found.keys() <= missing.keys():
            break
        missing |= found
    if conn.execute("SELECT 1 FROM pull_parked LIMIT 1").fetchone() is not None:
        # A newer change of a parked row replaces it (and is parked again if need be).
        stale = [
            row_id
            for row_id, seq in conn.execute(
                "SELECT row_id, seq FROM pull_parked WHERE row_id IN "
                "(SELECT value FROM json_each(?))",
                (json.dumps(list(latest)),),
            )
            if seq < latest[row_id].seq
        ]
        conn.execute(
            "DELETE FROM pull_parked WHERE row_id IN (SELECT value FROM json_each(?))",
            (json.dumps(stale),),
        )
    for entity, group in by_entity.items():
        repo = db.repos.by_entity[entity]
        shape = _shape(entity)
        local = _local(conn, shape.table, [c.row_id for c in group])
        new_rows: list[dict[str, Any]] = []
        old_rows: list[dict[str, Any]] = []
        versions: list[tuple[int, str]] = []
        for change in group:
            known = local.get(change.row_id)
            if known is not None and change.seq <= (known[0] or 0):
                continue
            if change.op == "remove":
                if known is not None:
                    applied += 1
                    repo.tombstone_local(s, change.row_id, version=change.seq)
                continue
            if change.op == "version":
                # This laptop's own write, kept by the server as sent (CONTRACT-21): only
                # the version its next push bases on is new. Values, clocks, index: as is.
                if known is not None:
                    versions.append((change.seq, change.row_id))
                continue
            if change.data is None:
                continue
            if change.row_id in missing:
                parking.park(conn, change, missing[change.row_id])
                continue
            applied += 1
            written.append(change.row_id)
            newest = _newest_clock(change.data, newest)
            if change.row_id in pending:
                # Refuse a row that cannot be stored before the ORM flushes it: a failed
                # flush rolls back the whole page's transaction, not just this row.
                pulled_rows.check_storable(shape, change)
                repo.apply_remote(
                    s,
                    change.row_id,
                    change.data,
                    version=change.seq,
                    pending=pending[change.row_id],
                )
                continue
            row = _row(shape, change, known[1] if known else None)
            (old_rows if known else new_rows).append(row)
        if versions:
            conn.executemany(
                f'UPDATE "{shape.table}" SET server_version = ? WHERE id = ?', versions
            )
        _upsert(conn, shape, new_rows + old_rows)
        if entity in _SEARCHABLE and new_rows:
            _index_new(conn, s, db, entity, new_rows)
        if entity in _SEARCHABLE and old_rows:
            # The stored row, not just the snapshot's columns: a field the snapshot left
            # out keeps its value, and its search words with it (as apply_remote does).
            for row in _stored_rows(conn, shape.table, [r["id"] for r in old_rows]):
                repo.after_write(s, PulledRow(row), set(row))
        if getattr(repo, "index_pulled", False) and (new_rows or old_rows):
            # Records that keep their own search documents (knowledge Q&A, issue 17).
            for row in _stored_rows(conn, shape.table, [r["id"] for r in new_rows + old_rows]):
                repo.after_write(s, PulledRow(row), set(row))
    return applied, newest, written
