"""Provides `apply_push`: authorise, validate and merge a laptop's batch of outbox rows.

Each mutation gets an answer (applied, applied_with_conflict, duplicate, rejected + reason);
the answers are stored per device and client seq, so a retried push returns the same ones.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from crm_tui.domain import rules
from crm_tui.domain.fields import (
    ENTITIES,
    FieldError,
    InputContext,
    ValidationErrors,
    check_record,
    from_wire,
    parse_value,
    to_wire,
)
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.customer_merge import follow_merged, merge_customer
from crm_tui.server.crud.merge import MergeOutcome, merge_fields
from crm_tui.server.crud.push_batch import BatchRows, keep_answers, plan_batch
from crm_tui.server.crud.push_batch import PushConflict as PushConflict  # the route's 409
from crm_tui.server.crud.records import (
    SELF_ENTITIES,
    TEAM_ENTITIES,
    ChangeSet,
    Row,
    can_read,
    is_manager,
    partition_for,
    snapshot,
    utcnow,
)
from crm_tui.server.models import Account, Device, Record
from crm_tui.sync.protocol import Mutation, MutationResult, PushRequest, PushResponse

# Fields of a claim that only its commands (submit, withdraw, approve, reject) may set.
COMMAND_FIELDS = frozenset({"status", "submitted_at", "decided_at", "decision_note", "approver_id"})


class Refused(Exception):
    """A mutation the server will not apply; the message goes back to the rep."""


def apply_push(
    session: Session, *, account: Account, device: Device, batch: PushRequest, clock: ServerClock
) -> PushResponse:
    device = session.exec(select(Device).where(col(Device.id) == device.id).with_for_update()).one()
    plan = plan_batch(session, account, device, batch.mutations)
    changes = ChangeSet()
    rows = BatchRows(session, account, changes)
    fresh = [m for m, answer, _ in plan if answer is None]
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
        if m.kind == "command":
            rows.forget()
            result, rec = apply_command(session, account=account, m=m, changes=changes, clock=clock)
            session.flush()
            rows.preload(fresh[done:])
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
            if can_read(account, rec.partition):
                result.row = snapshot(rec)
        results.append(result)
    keep_answers(session, device, [keep for _, _, keep in answers if keep is not None])
    return PushResponse(results=results, server_hlc=clock.now())


def _check_target(account: Account, m: Mutation, rec: Any) -> None:
    if rec is not None and rec.entity != m.entity:
        raise Refused(f"id {m.row_id} belongs to a {rec.entity}, not a {m.entity}")
    if rec is not None and not can_read(account, rec.partition):
        raise Refused(f"this {m.entity} belongs to another rep")


def _answer(m: Mutation, outcome: MergeOutcome, deleted: bool) -> MutationResult:
    status = "applied_with_conflict" if outcome.conflicts else "applied"
    reason = None
    if deleted and m.kind == "patch":
        status, reason = (
            "applied_with_conflict",
            "the record was deleted; the edit is kept but shows only if it is restored",
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
    rows: BatchRows, *, m: Mutation, clock: ServerClock
) -> tuple[MutationResult, Row | None]:
    """A create, patch, delete or restore, on the batch's rows."""
    rec = rows.get(m.row_id)
    try:
        _check_target(rows.account, m, rec)
        hlc = clock.receive(m.hlc)
        check_write(rows.account, m, rec)
        if rec is None:
            if m.kind != "create":
                raise Refused(
                    f"this {m.entity} does not exist on the server "
                    "(its creation may have been refused)"
                )
            rec = create_record(rows, m, hlc)
            outcome = MergeOutcome()
        else:
            outcome = merge_record(rows, m, rec, hlc)
    except Refused as exc:
        return _refused(m, exc), rec
    return _answer(m, outcome, rec.deleted), rec


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
            raise Refused(f"no {m.entity} {m.row_id} on the server")
        outcome = run_command(session, account, m, rec, changes, clock)
    except Refused as exc:
        return _refused(m, exc), rec
    return _answer(m, outcome, rec.deleted), rec


def check_write(account: Account, m: Mutation, rec: Row | Record | None) -> None:
    """Who may write what: the permission rules of DESIGN.md."""
    manager = is_manager(account)
    if m.entity == "user":
        raise Refused("team members are added on the server (crm server add-user)")
    if m.entity == "announcement" and not manager:
        raise Refused("only managers write announcements")
    if rec is None:
        return
    mine = rec.owner_id in (None, account.id)
    if m.entity in SELF_ENTITIES and rec.owner_id != account.id:
        raise Refused(f"this {m.entity} belongs to another user")
    if m.entity not in TEAM_ENTITIES and not mine and not manager:
        raise Refused(f"this {m.entity} belongs to another rep")
    if m.entity in TEAM_ENTITIES and m.kind in ("delete", "restore") and not mine and not manager:
        raise Refused(f"only its owner or a manager can {m.kind} this {m.entity}")


@functools.cache
def _context() -> InputContext:
    # One for the process: making one looks up the local time zone (a third of a create).
    return InputContext()


def validate_payload(
    entity: str,
    payload: dict[str, Any],
    *,
    session: Session,
    account: Account,
    lookup: Callable[[str], Row | Record | None] | None = None,
) -> dict[str, Any]:
    """The payload's values checked by the field registry, in their wire form; `lookup`
    finds a referenced row (the batch's rows; the session's by default)."""
    lookup = lookup or (lambda row_id: session.get(Record, row_id))
    spec = ENTITIES[entity]
    ctx = _context()
    clean: dict[str, Any] = {}
    errors: list[str] = []
    for name, raw in payload.items():
        fspec = spec.by_name.get(name)
        if fspec is None:
            errors.append(f"{entity} has no field '{name}'")
            continue
        try:
            value = parse_value(fspec, from_wire(fspec, raw), ctx)
        except FieldError as exc:
            errors.append(str(exc))
            continue
        except (ValueError, TypeError, AttributeError):
            errors.append(f"{name}: '{raw}' is not a valid {fspec.kind}")
            continue
        if fspec.kind == "ref" and value is not None:
            target = lookup(value)
            if fspec.ref == "customer" and target is not None and target.deleted:
                value = follow_merged(session, value) or value  # a merged customer: its survivor
                target = lookup(value)
            if (
                target is None
                or target.entity != fspec.ref
                or target.deleted
                or not can_read(account, target.partition)
            ):
                errors.append(f"{name}: no {fspec.ref} {value} on the server")
                continue
        clean[name] = to_wire(value)
    if errors:
        raise Refused("; ".join(errors))
    return clean


def _check_whole(entity: str, values: dict[str, Any]) -> None:
    spec = ENTITIES[entity]
    typed = {k: from_wire(spec.by_name[k], v) for k, v in values.items() if k in spec.by_name}
    try:
        check_record(entity, typed)
    except ValidationErrors as exc:
        raise Refused(str(exc)) from None
    except (ValueError, TypeError) as exc:
        raise Refused(str(exc)) from None


def create_record(rows: BatchRows, m: Mutation, hlc: str) -> Row:
    account = rows.account
    payload = dict(m.payload)
    owner = payload.pop("owner_id", None)
    if not (is_manager(account) and isinstance(owner, str) and owner in rows.names):
        owner = account.id
    if m.entity == "expense" and payload.get("status", "draft") != "draft":
        raise Refused("a new claim starts as a draft")
    values = validate_payload(
        m.entity, payload, session=rows.session, account=account, lookup=rows.get
    )
    _check_whole(m.entity, values)
    now = utcnow()
    rec = Row(
        id=m.row_id,
        entity=m.entity,
        owner_id=owner,
        partition=partition_for(m.entity, owner),
        deleted=False,
        data=json.dumps(values, ensure_ascii=False),
        field_hlc=json.dumps(dict.fromkeys([*values, "deleted"], hlc)),
        created_at=now,
        updated_at=now,
        updated_by=account.id,
        new=True,
    )
    rows.add(rec)
    rows.changes.touch(rec, fields=dict.fromkeys([*values, "deleted"], account.id))
    if m.entity == "customer":
        rows.rekey.add(rec.id)
    return rec


def merge_record(rows: BatchRows, m: Mutation, rec: Row, hlc: str) -> MergeOutcome:
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
    if m.kind == "delete":
        incoming: dict[str, Any] = {"deleted": True}
    elif m.kind == "restore":
        incoming = {"deleted": False}
    else:
        incoming = validate_payload(
            m.entity, payload, session=rows.session, account=account, lookup=rows.get
        )
    state = values | {"deleted": rec.deleted}
    clocks = json.loads(rec.field_hlc)
    before = dict(clocks)
    outcome = merge_fields(
        state, clocks, json.loads(rec.field_version), incoming, hlc, m.base_version, rows.names
    )
    if not outcome.changed and clocks == before:
        return outcome
    deleted = bool(state.pop("deleted"))
    if not deleted:
        _check_whole(m.entity, state)
    rec.data = json.dumps(state, ensure_ascii=False)
    rec.deleted = deleted
    rec.field_hlc = json.dumps(clocks)
    rec.updated_at = utcnow()
    rec.updated_by = account.id
    rows.changes.touch(rec, fields=dict.fromkeys(outcome.changed, account.id))
    if m.entity == "customer" and ({"name", "phone", "email", "deleted"} & set(outcome.changed)):
        rows.rekey.add(rec.id)
    return outcome


def run_command(
    session: Session,
    account: Account,
    m: Mutation,
    rec: Record,
    changes: ChangeSet,
    clock: ServerClock,
) -> MergeOutcome:
    """Business steps the server checks against the current row, not merged by clock."""
    command = str(m.payload.get("command", ""))
    if command == "reassign":
        return _reassign(session, account, m, rec, changes)
    if command == "merge":
        return merge_customer(session, account, m, rec, changes, clock)
    if m.entity != "expense":
        raise Refused(f"unknown command '{command}' for a {m.entity}")
    if rec.deleted:
        raise Refused("this claim was deleted")
    try:
        target = rules.ExpenseStatus(command)
    except ValueError:
        raise Refused(f"unknown claim command '{command}'") from None
    values = json.loads(rec.data)
    current = rules.ExpenseStatus(values.get("status", "draft"))
    role = rules.Role(account.role)
    try:
        rules.check_expense_transition(current, target, role)
    except rules.RuleError as exc:
        raise Refused(exc.message) from None
    needed = rules.EXPENSE_TRANSITIONS[current][target]
    own = rec.owner_id == account.id
    if needed is rules.Role.REP and not own:
        raise Refused(f"only the claim's owner can make it {target}")
    if needed is rules.Role.MANAGER and own:
        raise Refused("a manager cannot decide their own claim")
    fields = m.payload.get("fields") or {}
    if not isinstance(fields, dict):
        raise Refused("a claim command carries its fields as an object")
    given = {k: v for k, v in fields.items() if k in COMMAND_FIELDS - {"status"}}
    update = validate_payload("expense", given, session=session, account=account)
    update["status"] = target.value
    if needed is rules.Role.MANAGER:
        update["approver_id"] = account.id
        update.setdefault("decided_at", to_wire(utcnow()))
        if target is rules.ExpenseStatus.REJECTED and not (update.get("decision_note") or ""):
            raise Refused("say why the claim is rejected")
    # The server orders commands: its own clock makes the decision win over older edits.
    stamp = clock.tick()
    clocks = json.loads(rec.field_hlc)
    changed = {k: v for k, v in update.items() if values.get(k) != v}
    values.update(update)
    clocks.update(dict.fromkeys(update, stamp))
    rec.data = json.dumps(values, ensure_ascii=False)
    rec.field_hlc = json.dumps(clocks)
    rec.updated_at = utcnow()
    rec.updated_by = account.id
    session.add(rec)
    changes.touch(rec, fields=dict.fromkeys(changed, account.id))
    return MergeOutcome(changed=changed)


def _reassign(
    session: Session, account: Account, m: Mutation, rec: Record, changes: ChangeSet
) -> MergeOutcome:
    if not is_manager(account):
        raise Refused("only a manager can reassign a record")
    owner = str(m.payload.get("owner_id") or "")
    if session.get(Account, owner) is None:
        raise Refused(f"no team member {owner}")
    old_partition = rec.partition
    rec.owner_id = owner
    rec.partition = partition_for(rec.entity, owner)
    rec.updated_at = utcnow()
    rec.updated_by = account.id
    session.add(rec)
    changes.touch(rec, fields={"owner_id": account.id}, old_partition=old_partition)
    return MergeOutcome(changed={"owner_id": owner})
