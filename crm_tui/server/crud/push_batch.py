"""Provides the bulk side of a push: the device's sequence checked and earlier answers found
with one query each (`plan_batch`), the batch's rows read with one query, and the answers
kept with one executemany.

`BatchRows` holds every record a batch reads or writes as a `Row` (created rows too, so a
later mutation of the same batch sees them); `ChangeSet` writes the touched ones in bulk.
Commands run on ORM records (they may read and lock other rows), so before one the batch
writes what it has and forgets it, and reads afresh after it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Dialect, select
from sqlmodel import Session

from crm_tui.domain.fields import ENTITIES
from crm_tui.server.crud.duplicates import flag_rows
from crm_tui.server.crud.errors import PushConflict
from crm_tui.server.crud.records import ChangeSet, Row, any_of, insert_many, mark
from crm_tui.server.models import Account, AppliedMutation, Device, Record
from crm_tui.sync.protocol import SEQ_GAP, SEQ_REUSED, Mutation, MutationResult

_CHUNK = 900  # ids per IN (...): under SQLite's old 999-variable limit


class BatchRows:
    """The records one push reads and writes, by id (None: known not to exist)."""

    def __init__(self, session: Session, account: Account, changes: ChangeSet) -> None:
        self.session = session
        self.account = account
        self.changes = changes
        # The pushing device (its exact writes are logged as its echoes: CONTRACT-21.md).
        self.device_id: str | None = None
        self.rows: dict[str, Row | None] = {}
        self.locked: set[str] = set()
        # Customers whose name, phone, e-mail or tombstone changed: flagged at `settle`.
        self.rekey: set[str] = set()
        table = Account.__table__
        self.names: dict[str, str] = dict(
            session.connection().execute(select(table.c.id, table.c.name)).all()
        )

    def preload(self, mutations: Iterable[Mutation]) -> None:
        """Read every row the mutations write (locked, in id order against deadlocks) and
        every row their references name."""
        mutations = list(mutations)
        self.load(sorted({m.row_id for m in mutations}), lock=True)
        self.load(sorted({ref for m in mutations for ref in _refs(m)}), lock=False)

    def load(self, ids: list[str], *, lock: bool) -> None:
        # A row this batch changed is newer here than in the database: never read again.
        todo = [
            i
            for i in ids
            if i not in self.changes.unwritten
            and (i not in self.rows or (lock and i not in self.locked))
        ]
        conn = self.session.connection()
        for start in range(0, len(todo), _CHUNK):
            chunk = todo[start : start + _CHUNK]
            self.rows.update(dict.fromkeys(chunk))
            for row in select_rows(conn, chunk, lock=lock):
                self.rows[row.id] = row
            if lock:
                self.locked.update(chunk)

    def get(self, row_id: str) -> Row | None:
        if row_id not in self.rows:
            self.load([row_id], lock=False)
        return self.rows[row_id]

    def add(self, row: Row) -> None:
        self.rows[row.id] = row
        self.locked.add(row.id)

    def new_row(self, **values: Any) -> Row:
        """A created row, written in bulk at `settle`."""
        row = Row(**values, new=True)
        self.add(row)
        return row

    def settle(self) -> None:
        """Flag duplicate customers. The touched rows are written by `ChangeSet.commit`
        (on SQLite with their version at once: one insert, no update after it)."""
        rekey, self.rekey = sorted(self.rekey), set()
        flag_rows(self.session, self, rekey, self.changes)

    def forget(self) -> None:
        """Before a command: write everything and read afresh afterwards, so the command's
        ORM queries and this batch see one state."""
        self.settle()
        self.changes.write_rows(self.session)
        self.session.flush()
        self.session.expire_all()
        self.rows.clear()
        self.locked.clear()


def select_rows(conn: Connection, ids: list[str], *, lock: bool) -> list[Row]:
    """The records with these ids as `Row`s (locked, in id order, when `lock`), read with
    the driver: SQLAlchemy's statement building and result rows cost more than the query.
    Column values are converted as SQLAlchemy would (SQLite's datetimes and booleans)."""
    if not ids:
        return []
    sql, params = _select_sql(conn.dialect.name, len(ids), lock)
    found = conn.exec_driver_sql(sql, {"ids": ids} if params == "ids" else tuple(ids))
    procs = _row_processors(conn.dialect)
    if not procs:
        return [Row(*values) for values in found]
    out = []
    for values in found:
        values = list(values)
        for i, proc in procs:
            if values[i] is not None:
                values[i] = proc(values[i])
        out.append(Row(*values))
    return out


# Record's columns in `Row`'s field order (rows are built positionally).
_SELECTED = tuple(f.name for f in dataclasses.fields(Row) if f.name != "new")


def _select_sql(dialect: str, count: int, lock: bool) -> tuple[str, str]:
    columns = _COLUMNS_SQL
    if dialect == "postgresql":
        sql = f"SELECT {columns} FROM record WHERE id = ANY(%(ids)s)"
        return sql + (" ORDER BY id FOR UPDATE" if lock else ""), "ids"
    sql = f"SELECT {columns} FROM record WHERE id IN ({', '.join(['?'] * count)})"
    return sql + (" ORDER BY id" if lock else ""), "tuple"


_COLUMNS_SQL = ", ".join(f'"{name}"' for name in _SELECTED)
# Per dialect name: (position, SQLAlchemy's result conversion) of the columns needing one.
_PROCESSORS: dict[str, tuple[tuple[int, Any], ...]] = {}


def _row_processors(dialect: Dialect) -> tuple[tuple[int, Any], ...]:
    found = _PROCESSORS.get(dialect.name)
    if found is None:
        table = Record.__table__
        procs = (
            (i, table.c[name].type.dialect_impl(dialect).result_processor(dialect, None))
            for i, name in enumerate(_SELECTED)
        )
        found = _PROCESSORS[dialect.name] = tuple((i, p) for i, p in procs if p is not None)
    return found


def _refs(m: Mutation) -> list[str]:
    """The ids a mutation's reference fields name (a command's in its `fields`)."""
    names = _ref_fields(m.entity)
    if not names:
        return []
    payload = m.payload.get("fields") if m.kind == "command" else m.payload
    if not isinstance(payload, dict):
        return []
    return [v for n in names if isinstance(v := payload.get(n), str) and v]


@functools.cache
def _ref_fields(entity: str) -> tuple[str, ...]:
    spec = ENTITIES.get(entity)
    return tuple(f.name for f in spec.fields if f.kind == "ref") if spec is not None else ()


def plan_batch(
    session: Session, account: Account, device: Device, mutations: list[Mutation]
) -> list[tuple[Mutation, MutationResult | None, MutationResult | None]]:
    """Check the batch continues this device's sequence (else 409) and find the mutations
    already answered: per mutation, (m, the answer to send or None to apply it, the answer
    to keep for this seq when it is not kept yet)."""
    last = device.last_client_seq
    stored = stored_answers(
        session, device, sorted({m.client_seq for m in mutations if m.client_seq <= last})
    )
    plan: list[tuple[Mutation, MutationResult | None, MutationResult | None]] = []
    for m in mutations:
        if m.client_seq <= last:
            # Kept answers are this device's from earlier pushes, not this one's.
            mutation_id, result = (
                stored.get(m.client_seq, ("", ""))
                if m.client_seq <= device.last_client_seq
                else ("", "")
            )
            if mutation_id != m.mutation_id:
                raise PushConflict(
                    f"change {m.client_seq} was already used by another change on this device; "
                    "was this database restored from a backup? Log in again to sync it as a "
                    "new device",
                    last + 1,
                    SEQ_REUSED,
                )
            plan.append((m, _as_duplicate(result), None))
            continue
        if m.client_seq != last + 1:
            raise PushConflict(
                f"expected change {last + 1} from this device, got {m.client_seq}",
                last + 1,
                SEQ_GAP,
            )
        last = m.client_seq
        plan.append((m, None, None))
    device.last_client_seq = last
    # Sent before from an earlier login of this user (a re-enrolled laptop): same answer.
    earlier = earlier_answers(session, account, [m.mutation_id for m, a, _ in plan if a is None])
    if not earlier:
        return plan
    out = []
    for m, answer, keep in plan:
        first = earlier.get(m.mutation_id) if answer is None else None
        if first is not None:
            answer = _as_duplicate(first, m.client_seq)
            keep = MutationResult.model_validate_json(first).model_copy(
                update={"client_seq": m.client_seq}
            )
        out.append((m, answer, keep))
    return out


def _as_duplicate(stored: str, client_seq: int | None = None) -> MutationResult:
    first = MutationResult.model_validate_json(stored)
    return first.model_copy(
        update={
            "status": "duplicate",
            "first_status": first.status,
            "client_seq": client_seq or first.client_seq,
        }
    )


def stored_answers(session: Session, device: Device, seqs: list[int]) -> dict[int, tuple[str, str]]:
    """This device's kept answers for `seqs`: client_seq -> (mutation_id, result JSON)."""
    found: dict[int, tuple[str, str]] = {}
    conn = session.connection()
    for start in range(0, len(seqs), _CHUNK):
        test, params = any_of(conn, seqs[start : start + _CHUNK])
        rows = conn.exec_driver_sql(
            "SELECT client_seq, mutation_id, result FROM applied_mutation "
            f"WHERE device_id = {mark(conn)} AND client_seq {test}",
            (device.id, *params),
        )
        found.update({seq: (mid, result) for seq, mid, result in rows})
    return found


def earlier_answers(session: Session, account: Account, mutation_ids: list[str]) -> dict[str, str]:
    """Answers given to these mutations on another device of the same user (a re-enrolled
    laptop sending again): mutation_id -> result JSON.

    Looked up by the mutation_id index alone, then kept if the device is the user's: joined
    with `device` in SQL, SQLite walked the device's whole history of answers instead (58 ms
    a push after 10k records, growing with every push)."""
    conn = session.connection()
    hits: list[tuple[str, int, str, str]] = []
    for start in range(0, len(mutation_ids), _CHUNK):
        test, params = any_of(conn, mutation_ids[start : start + _CHUNK])
        hits += conn.exec_driver_sql(
            "SELECT device_id, client_seq, mutation_id, result FROM applied_mutation "
            f"WHERE mutation_id {test}",
            params,
        ).all()
    if not hits:
        return {}
    devices = Device.__table__
    mine = set(conn.execute(select(devices.c.id).where(devices.c.user_id == account.id)).scalars())
    found: dict[str, str] = {}
    for _device, _seq, mutation_id, result in sorted(h for h in hits if h[0] in mine):
        found.setdefault(mutation_id, result)
    return found


def keep_answers(session: Session, device: Device, answers: list[MutationResult]) -> None:
    """Store the answers a retried push must get again (one executemany)."""
    if not answers:
        return
    rows: list[dict[str, Any]] = [
        {
            "device_id": device.id,
            "client_seq": a.client_seq,
            "mutation_id": a.mutation_id,
            "result": a.model_dump_json(),
        }
        for a in answers
    ]
    insert_many(session.connection(), AppliedMutation.__table__, rows)
