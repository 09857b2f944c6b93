"""Provides the write side of a push: a create, and a patch / delete / restore merged into
a stored row, on either persistence path.

The batch path holds rows as `Row` (push_batch.BatchRows, written in bulk); the ORM path
holds `Record`s in a session (`OrmRows`: commands, tests, admin tools). Both ask
merge.decide what a mutation does and then only store its answer (`store`), so the two
cannot drift apart (tests/sync/test_server_one_merge.py holds them to it).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlmodel import Session

from crm_tui.domain import rules
from crm_tui.domain.field_clocks import ALL, newest, one_clock_json
from crm_tui.domain.permissions import may_choose_owner, partition_for
from crm_tui.server.crud import blobs, doc_fields, kb
from crm_tui.server.crud.duplicates import flag_duplicates
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.merge import Decision, MergeOutcome, decide
from crm_tui.server.crud.records import (
    ChangeSet,
    Row,
    actor_of,
    insert_many,
    utcnow,
)
from crm_tui.server.crud.validate import (
    COMMAND_FIELDS,
    SERVER_FIELDS,
    check_whole,
    validate_payload,
)
from crm_tui.server.models import Account, Record, ServerConflict
from crm_tui.sync.protocol import MAX_SEQ, FieldConflict, Mutation


class Rows(Protocol):
    """The rows a push writes: push_batch.BatchRows (bulk) or `OrmRows` (a session)."""

    session: Session
    account: Account
    changes: ChangeSet
    names: dict[str, str]
    rekey: set[str]
    device_id: str | None

    def get(self, row_id: str) -> Row | Record | None: ...

    def new_row(self, **values: Any) -> Row | Record: ...


class OrmRows:
    """The ORM path: rows as `Record`s of `session` (flushed by it, logged by `changes`)."""

    def __init__(self, session: Session, account: Account, changes: ChangeSet) -> None:
        self.session = session
        self.account = account
        self.changes = changes
        self.rekey: set[str] = set()
        self.device_id: str | None = None
        table = Account.__table__
        self.names: dict[str, str] = dict(
            session.connection().execute(select(table.c.id, table.c.name)).all()
        )

    def get(self, row_id: str) -> Record | None:
        return self.session.get(Record, row_id)

    def new_row(self, **values: Any) -> Record:
        rec = Record(**values)
        self.session.add(rec)
        return rec

    def settle(self) -> None:
        """Flag duplicate customers (as the batch path's `settle`)."""
        rekey, self.rekey = sorted(self.rekey), set()
        self.session.flush()
        for row_id in rekey:
            rec = self.get(row_id)
            if rec is not None:
                flag_duplicates(self.session, rec, self.changes)


def store(rec: Row | Record, decision: Decision, account: Account) -> None:
    """Persist a decision on either kind of row (the only write of a merged row)."""
    rec.data = json.dumps(decision.values, ensure_ascii=False)
    rec.deleted = decision.deleted
    rec.field_hlc = json.dumps(decision.clocks)
    rec.updated_at = utcnow()
    rec.updated_by = account.id


def create_record(rows: Rows, m: Mutation, hlc: str) -> Row | Record:
    account = rows.account
    payload = dict(m.payload)
    owner = payload.pop("owner_id", None)
    if not (may_choose_owner(actor_of(account)) and isinstance(owner, str) and owner in rows.names):
        owner = account.id
    if m.entity == "expense":
        if payload.get("status") not in (None, "draft"):
            raise Refused("a new claim starts as a draft")
        # Who decided, when, and why are the server's to write (by the claim's commands).
        for name in SERVER_FIELDS | {"decision_note"}:
            payload.pop(name, None)
    payload = doc_fields.clean_create(m.entity, payload)
    values = validate_payload(
        m.entity, payload, session=rows.session, account=account, lookup=rows.get
    )
    if m.entity in doc_fields.NUMBERED:  # contracts (HT-), service orders (SV-)
        _lock_numbering(rows.session)
        values = doc_fields.NUMBERED[m.entity](rows.session, values, utcnow())
    check_whole(m.entity, values)
    partition = partition_for(m.entity, owner)
    if m.entity == "attachment":  # a file is seen by whoever may see its record
        partition, values = blobs.place_attachment(account, values, rows.get)
    now = utcnow()
    rec = rows.new_row(
        id=m.row_id,
        entity=m.entity,
        owner_id=owner,
        partition=partition,
        deleted=False,
        data=json.dumps(values, ensure_ascii=False),
        field_hlc=one_clock_json(hlc),  # one step: every field at one clock
        created_at=now,
        updated_at=now,
        updated_by=account.id,
    )
    echo = owner == m.payload.get("owner_id", owner) and _as_sent(m, values, hlc)
    rows.changes.touch(
        rec,
        # Every field and the tombstone, at one seq by one member: {"*": [seq, who]}.
        fields={ALL: account.id},
        origin=rows.device_id if echo else None,
    )
    if m.entity == "customer":
        rows.rekey.add(rec.id)
    return rec


def _as_sent(m: Mutation, values: dict[str, Any], hlc: str) -> bool:
    """The server keeps the mutation's values and clock exactly as the laptop sent them."""
    sent = {k: v for k, v in m.payload.items() if k != "owner_id"}
    return hlc == m.hlc and values == sent


_NUMBERING_LOCK = 0x63726D6E  # 'crmn': one advisory lock id for contract numbers


def _lock_numbering(session: Session) -> None:
    """Contract numbers are the year's highest + 1: on PostgreSQL two workers' pushes could
    read the same highest, so numbering is serialized to commit (SQLite has one writer)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _NUMBERING_LOCK})


def merge_record(rows: Rows, m: Mutation, rec: Row | Record, hlc: str) -> MergeOutcome:
    """A patch, delete or restore (or a create of an existing id) merged into `rec`."""
    account = rows.account
    payload = dict(m.payload)
    payload.pop("owner_id", None)  # owners change only by the reassign command
    values = json.loads(rec.data)
    if m.entity == "expense":
        if COMMAND_FIELDS & set(payload):
            raise Refused("a claim's status changes only by submit, withdraw, approve or reject")
        status = rules.ExpenseStatus(values.get("status", "draft"))
        if not rules.expense_is_editable(status):
            raise Refused(f"this claim is {status}; it is locked until it is withdrawn or rejected")
    payload = doc_fields.check_patch(m.entity, payload, values)
    if m.entity == "attachment":
        blobs.check_attachment_patch(payload, values)
    if m.entity == "kb_question":  # issue 17: the asker accepts an answer
        kb.check_question_patch(account, rec, payload, rows.get)
    incoming: dict[str, Any] = {}
    if m.kind not in ("delete", "restore"):
        incoming = validate_payload(
            m.entity, payload, session=rows.session, account=account, lookup=rows.get
        )
    decision = decide(
        kind=m.kind,
        values=values,
        deleted=rec.deleted,
        clocks=json.loads(rec.field_hlc),
        versions=json.loads(rec.field_version),
        incoming=incoming,
        hlc=hlc,
        base_version=m.base_version,
        names=rows.names,
        deleted_at=rec.updated_at,
        deleted_by=rec.updated_by,
        entity=m.entity,
        writer=account.id,
    )
    outcome = decision.outcome
    if outcome.lost_to_delete:
        log_lost(rows.session, m, account, outcome.conflicts)
        return outcome
    if not decision.writes:
        return outcome
    if not decision.deleted:
        check_whole(m.entity, decision.values)
    # An echo only on the version the laptop had seen, with nothing it did not send.
    echo = (
        rec.version == m.base_version
        and not outcome.conflicts
        and "owner_id" not in m.payload
        and _as_sent(m, incoming if m.kind not in ("delete", "restore") else {}, hlc)
    )
    store(rec, decision, account)
    rows.changes.touch(
        rec,
        fields=dict.fromkeys(outcome.changed, account.id),
        origin=rows.device_id if echo else None,
        notices=outcome.notices,
    )
    if m.entity == "customer" and ({"name", "phone", "email", "deleted"} & set(outcome.changed)):
        rows.rekey.add(rec.id)
    return outcome


def log_lost(
    session: Session, m: Mutation, account: Account, conflicts: list[FieldConflict]
) -> None:
    """Keep values that reached a deleted row in the server's own conflict log."""
    now = utcnow()
    insert_many(
        session.connection(),
        ServerConflict.__table__,
        [
            {
                "entity": m.entity,
                "row_id": m.row_id,
                "field": c.field,
                "lost_value": json.dumps(c.yours, ensure_ascii=False),
                "user_id": account.id,
                "reason": c.reason or "",
                "created_at": now,
            }
            for c in conflicts
        ],
    )


def apply_step(
    session: Session,
    account: Account,
    rec: Record,
    values: dict[str, Any],
    update: dict[str, Any],
    changes: ChangeSet,
    clock: Any,
) -> MergeOutcome:
    """Store a server-checked step's `update` on `rec` (whose fields are `values`): claims,
    payments, dispatches, report submission. The server orders commands: its own clock,
    ticked past the row's field clocks, makes the step win over older edits (no concurrency
    is reported: a command was checked against the current row)."""
    clocks = json.loads(rec.field_hlc)
    decision = decide(
        kind="patch",
        values=values,
        deleted=False,
        clocks=clocks,
        versions={},
        incoming=update,
        hlc=clock.tick([newest(clocks)]),
        base_version=MAX_SEQ,
    )
    store(rec, decision, account)
    session.add(rec)
    changes.touch(rec, fields=dict.fromkeys(decision.outcome.changed, account.id))
    return MergeOutcome(changed=decision.outcome.changed)
