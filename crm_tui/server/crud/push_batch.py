"""Provides the bulk side of a push: the batch's rows read with one query, earlier answers
with one query each, and the answers kept with one executemany.

`BatchRows` holds every record a batch reads or writes as a `Row` (created rows too, so a
later mutation of the same batch sees them); `ChangeSet` writes the touched ones in bulk.
Commands run on ORM records (they may read and lock other rows), so before one the batch
writes what it has and forgets it, and reads afresh after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from crm_tui.domain.fields import ENTITIES
from crm_tui.server.crud.duplicates import flag_rows
from crm_tui.server.crud.records import ROW_COLUMNS, ChangeSet, Row, insert_many
from crm_tui.server.models import Account, AppliedMutation, Device, Record
from crm_tui.sync.protocol import Mutation, MutationResult

_CHUNK = 900  # ids per IN (...): under SQLite's old 999-variable limit
# `IN (:ids)` filled at execution: SQLAlchemy coerces a literal list element by element.
_IDS = bindparam("ids", expanding=True)


class BatchRows:
    """The records one push reads and writes, by id (None: known not to exist)."""

    def __init__(self, session: Session, account: Account, changes: ChangeSet) -> None:
        self.session = session
        self.account = account
        self.changes = changes
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
        table = Record.__table__
        conn = self.session.connection()
        for start in range(0, len(todo), _CHUNK):
            chunk = todo[start : start + _CHUNK]
            stmt = select(*(table.c[name] for name in ROW_COLUMNS)).where(table.c.id.in_(_IDS))
            if lock:
                stmt = stmt.order_by(table.c.id).with_for_update()
            self.rows.update(dict.fromkeys(chunk))
            for values in conn.execute(stmt, {"ids": chunk}).mappings():
                self.rows[values["id"]] = Row(**values)
            if lock:
                self.locked.update(chunk)

    def get(self, row_id: str) -> Row | None:
        if row_id not in self.rows:
            self.load([row_id], lock=False)
        return self.rows[row_id]

    def add(self, row: Row) -> None:
        self.rows[row.id] = row
        self.locked.add(row.id)

    def settle(self) -> None:
        """Flag duplicate customers and write every touched row."""
        rekey, self.rekey = sorted(self.rekey), set()
        flag_rows(self.session, self, rekey, self.changes)
        self.changes.write_rows(self.session)

    def forget(self) -> None:
        """Before a command: write everything and read afresh afterwards, so the command's
        ORM queries and this batch see one state."""
        self.settle()
        self.session.flush()
        self.session.expire_all()
        self.rows.clear()
        self.locked.clear()


def _refs(m: Mutation) -> list[str]:
    """The ids a mutation's reference fields name (a command's in its `fields`)."""
    spec = ENTITIES.get(m.entity)
    if spec is None:
        return []
    payload = m.payload.get("fields") if m.kind == "command" else m.payload
    if not isinstance(payload, dict):
        return []
    return [
        value
        for name, value in payload.items()
        if isinstance(value, str)
        and (f := spec.by_name.get(name)) is not None
        and f.kind == "ref"
        and value
    ]


def stored_answers(session: Session, device: Device, seqs: list[int]) -> dict[int, tuple[str, str]]:
    """This device's kept answers for `seqs`: client_seq -> (mutation_id, result JSON)."""
    table = AppliedMutation.__table__
    found: dict[int, tuple[str, str]] = {}
    conn = session.connection()
    for start in range(0, len(seqs), _CHUNK):
        rows = conn.execute(
            select(table.c.client_seq, table.c.mutation_id, table.c.result).where(
                table.c.device_id == device.id, table.c.client_seq.in_(_IDS)
            ),
            {"ids": seqs[start : start + _CHUNK]},
        )
        found.update({seq: (mid, result) for seq, mid, result in rows})
    return found


def earlier_answers(session: Session, account: Account, mutation_ids: list[str]) -> dict[str, str]:
    """Answers given to these mutations on another device of the same user (a re-enrolled
    laptop sending again): mutation_id -> result JSON."""
    answers = AppliedMutation.__table__
    devices = Device.__table__
    found: dict[str, str] = {}
    conn = session.connection()
    for start in range(0, len(mutation_ids), _CHUNK):
        rows = conn.execute(
            select(answers.c.mutation_id, answers.c.result)
            .join(devices, devices.c.id == answers.c.device_id)
            .where(
                answers.c.mutation_id.in_(_IDS),
                devices.c.user_id == account.id,
            )
            .order_by(answers.c.device_id, answers.c.client_seq),
            {"ids": mutation_ids[start : start + _CHUNK]},
        )
        for mutation_id, result in rows:
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
