"""Provides `apply_push`: authorise, validate and merge a laptop's batch of outbox rows.

Each mutation gets an answer (applied, applied_with_conflict, duplicate, rejected + reason);
the answers are stored per device and client seq, so a retried push returns the same ones.
The rules come from the rule book (domain/permissions.py); a refusal never tells "not
yours" from "not there".
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from crm_tui.domain.permissions import why_not_write
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.commands import run_command
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.merge import MergeOutcome
from crm_tui.server.crud.nodes import foreign_nodes
from crm_tui.server.crud.push_batch import BatchRows, keep_answers, plan_batch
from crm_tui.server.crud.records import (
    ChangeSet,
    Row,
    actor_of,
    can_read_row,
    utcnow,
)
from crm_tui.server.crud.snapshots import snapshot
from crm_tui.server.crud.write import Rows, create_record, merge_record
from crm_tui.server.models import Account, Device, Record
from crm_tui.sync.protocol import Mutation, MutationResult, PushRequest, PushResponse


def apply_push(
    session: Session, *, account: Account, device: Device, batch: PushRequest, clock: ServerClock
) -> PushResponse:
    device = session.exec(select(Device).where(col(Device.id) == device.id).with_for_update()).one()
    plan = plan_batch(session, account, device, batch.mutations)
    changes = ChangeSet()
    rows = BatchRows(session, account, changes)
    rows.device_id = device.id
    fresh = [m for m, answer, _ in plan if answer is None]
    borrowed = foreign_nodes(session, account, device, fresh)
    rows.preload(fresh)
    # Per mutation: the answer to send, the row it touched, and the answer to keep for a
    # retry (None when this device's seq already has one).
    answers: list[tuple[MutationResult, Any, MutationResult | None]] = []
    done = 0
    for m, answer, keep in plan:
        if answer is not None:
            answers.append((answer, None, keep))
            continue
        done += 1
        if _node(m.hlc) in borrowed:
            result = _refused(m, Refused("this change carries another laptop's clock id"))
            answers.append((result, None, result))
        elif m.kind == "command":
            rows.forget()
            result, rec = apply_command(session, account=account, m=m, changes=changes, clock=clock)
            session.flush()
            rows.preload(fresh[done:])
            answers.append((result, rec, result))
        else:
            result, rec = apply_mutation(rows, m=m, clock=clock)
            answers.append((result, rec, result))
    rows.settle()
    device.last_seen_at = utcnow()
    session.add(device)
    changes.commit(session)
    results = []
    for result, rec, _ in answers:
        if rec is not None and result.status != "applied":
            rec = changes.last.get(rec.id, rec)
            if can_read_row(account, rec):
                result.row = snapshot(rec)
        results.append(result)
    keep_answers(session, device, [keep for _, _, keep in answers if keep is not None])
    return PushResponse(results=results, server_hlc=clock.now())


def _node(hlc: str) -> str:
    return hlc.split("-", 2)[-1]


def _not_found(m: Mutation) -> Refused:
    # One sentence for "not there", "not yours" and "another kind of record".
    return Refused(f"no {m.entity} with this id on the server (or it is not yours)")


def _check_target(account: Account, m: Mutation, rec: Any) -> None:
    if rec is not None and (rec.entity != m.entity or not can_read_row(account, rec)):
        raise _not_found(m)


def _answer(m: Mutation, outcome: MergeOutcome) -> MutationResult:
    status = "applied_with_conflict" if outcome.conflicts else "applied"
    reason = None
    if outcome.lost_to_delete:
        why = outcome.conflicts[0].reason if outcome.conflicts else "deleted on the server"
        reason = (
            f"this {m.entity} was {why}; your edit was not applied "
            "(restore it from the conflicts view)"
        )
    return MutationResult(
        client_seq=m.client_seq,
        mutation_id=m.mutation_id,
        status=status,  # type: ignore[arg-type]
        reason=reason,
        conflicts=outcome.conflicts,
    )


def _refused(m: Mutation, exc: Refused) -> MutationResult:
    return MutationResult(
        client_seq=m.client_seq, mutation_id=m.mutation_id, status="rejected", reason=str(exc)
    )


def apply_mutation(
    rows: Rows, *, m: Mutation, clock: ServerClock
) -> tuple[MutationResult, Row | Record | None]:
    """A create, patch, delete or restore, on the batch's rows (or an `OrmRows`)."""
    rec = rows.get(m.row_id)
    try:
        _check_target(rows.account, m, rec)
        hlc = clock.receive(m.hlc)
        check_write(rows.account, m, rec)
        if rec is None:
            if m.kind != "create":
                raise _not_found(m)
            rec = create_record(rows, m, hlc)
            outcome = MergeOutcome()
        else:
            outcome = merge_record(rows, m, rec, hlc)
    except Refused as exc:
        return _refused(m, exc), rec
    return _answer(m, outcome), rec


def apply_command(
    session: Session, *, account: Account, m: Mutation, changes: ChangeSet, clock: ServerClock
) -> tuple[MutationResult, Record | None]:
    """A business step, on the ORM record (commands may read and lock other rows)."""
    rec = session.exec(
        select(Record)
        .where(col(Record.id) == m.row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    try:
        _check_target(account, m, rec)
        clock.receive(m.hlc)
        check_write(account, m, rec)
        if rec is None:
            raise _not_found(m)
        outcome = run_command(session, account, m, rec, changes, clock)
    except Refused as exc:
        return _refused(m, exc), rec
    return _answer(m, outcome), rec


def check_write(account: Account, m: Mutation, rec: Row | Record | None) -> None:
    """Who may write what: the rule book's answer (DESIGN.md's permission rules)."""
    reason = why_not_write(
        actor_of(account),
        m.entity,
        m.kind,
        rec.owner_id if rec is not None else None,
        exists=rec is not None,
        readers=_readers(rec),
    )
    if reason:
        raise Refused(reason)


def _readers(rec: Row | Record | None) -> tuple[str, ...]:
    if rec is None or not rec.readers:
        return ()
    return tuple(p.removeprefix("read:") for p in rec.readers.split())
