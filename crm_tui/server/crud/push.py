"""Provides `apply_push`: authorise, validate and merge a laptop's batch of outbox rows.

Each mutation gets an answer (applied, applied_with_conflict, duplicate, rejected + reason);
the answers are stored per device and client seq, so a retried push returns the same ones.
"""

from __future__ import annotations

import json
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
from crm_tui.server.crud.duplicates import flag_duplicates
from crm_tui.server.crud.merge import MergeOutcome, merge_fields
from crm_tui.server.crud.records import (
    SELF_ENTITIES,
    TEAM_ENTITIES,
    ChangeSet,
    can_read,
    is_manager,
    partition_for,
    snapshot,
    utcnow,
)
from crm_tui.server.models import Account, AppliedMutation, Device, Record
from crm_tui.sync.protocol import Mutation, MutationResult, PushRequest, PushResponse

# Fields of a claim that only its commands (submit, withdraw, approve, reject) may set.
COMMAND_FIELDS = frozenset({"status", "submitted_at", "decided_at", "decision_note", "approver_id"})


class Refused(Exception):
    """A mutation the server will not apply; the message goes back to the rep."""


class PushConflict(Exception):
    """The batch does not continue this device's sequence (409)."""

    def __init__(self, message: str, expected: int) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


def apply_push(
    session: Session, *, account: Account, device: Device, batch: PushRequest, clock: ServerClock
) -> PushResponse:
    device = session.exec(select(Device).where(col(Device.id) == device.id).with_for_update()).one()
    changes = ChangeSet()
    # Per mutation: the answer to send, the row it touched, and the answer to keep for a
    # retry (None when this device's seq already has one).
    answers: list[tuple[Mutation, MutationResult, Record | None, MutationResult | None]] = []
    names = {a.id: a.name for a in session.exec(select(Account))}
    for m in batch.mutations:
        if m.client_seq <= device.last_client_seq:
            stored = session.get(AppliedMutation, (device.id, m.client_seq))
            if stored is None or stored.mutation_id != m.mutation_id:
                raise PushConflict(
                    f"change {m.client_seq} was already used by another change on this device; "
                    "was this database restored from a backup? Log in again to sync it as a "
                    "new device",
                    device.last_client_seq + 1,
                )
            answers.append((m, _as_duplicate(stored), None, None))
            continue
        if m.client_seq != device.last_client_seq + 1:
            raise PushConflict(
                f"expected change {device.last_client_seq + 1} from this device, "
                f"got {m.client_seq}",
                device.last_client_seq + 1,
            )
        device.last_client_seq = m.client_seq
        # Sent before from an earlier login of this user (a re-enrolled laptop): same answer.
        earlier = session.exec(
            select(AppliedMutation)
            .join(Device, col(Device.id) == col(AppliedMutation.device_id))
            .where(
                col(AppliedMutation.mutation_id) == m.mutation_id, col(Device.user_id) == account.id
            )
        ).first()
        if earlier is not None:
            first = MutationResult.model_validate_json(earlier.result)
            answers.append(
                (
                    m,
                    _as_duplicate(earlier),
                    None,
                    first.model_copy(update={"client_seq": m.client_seq}),
                )
            )
            continue
        result, rec = apply_mutation(
            session, account=account, m=m, changes=changes, clock=clock, names=names
        )
        answers.append((m, result, rec, result))
    device.last_seen_at = utcnow()
    session.add(device)
    changes.commit(session)
    results = []
    for m, result, rec, keep in answers:
        if rec is not None and result.status != "applied" and can_read(account, rec.partition):
            result.row = snapshot(rec)
        if keep is not None:
            session.add(
                AppliedMutation(
                    device_id=device.id,
                    client_seq=m.client_seq,
                    mutation_id=m.mutation_id,
                    result=keep.model_dump_json(),
                )
            )
        results.append(result)
    return PushResponse(results=results, server_hlc=clock.now())


def _as_duplicate(stored: AppliedMutation, client_seq: int | None = None) -> MutationResult:
    first = MutationResult.model_validate_json(stored.result)
    return first.model_copy(
        update={
            "status": "duplicate",
            "first_status": first.status,
            "client_seq": client_seq or first.client_seq,
        }
    )


def apply_mutation(
    session: Session,
    *,
    account: Account,
    m: Mutation,
    changes: ChangeSet,
    clock: ServerClock,
    names: dict[str, str],
) -> tuple[MutationResult, Record | None]:
    rec = session.exec(select(Record).where(col(Record.id) == m.row_id).with_for_update()).first()
    base = {"client_seq": m.client_seq, "mutation_id": m.mutation_id}
    try:
        if rec is not None and rec.entity != m.entity:
            raise Refused(f"id {m.row_id} belongs to a {rec.entity}, not a {m.entity}")
        if rec is not None and not can_read(account, rec.partition):
            raise Refused(f"this {m.entity} belongs to another rep")
        hlc = clock.receive(m.hlc)
        check_write(account, m, rec)
        if m.kind == "command":
            if rec is None:
                raise Refused(f"no {m.entity} {m.row_id} on the server")
            outcome = run_command(session, account, m, rec, changes, clock)
        elif rec is None:
            if m.kind != "create":
                raise Refused(
                    f"this {m.entity} does not exist on the server "
                    "(its creation may have been refused)"
                )
            rec = create_record(session, account, m, hlc, changes)
            outcome = MergeOutcome()
        else:
            outcome = merge_record(session, account, m, rec, hlc, changes, names)
    except Refused as exc:
        return MutationResult(**base, status="rejected", reason=str(exc)), rec
    status = "applied_with_conflict" if outcome.conflicts else "applied"
    reason = None
    if rec.deleted and m.kind == "patch":
        status, reason = (
            "applied_with_conflict",
            "the record was deleted; the edit is kept but shows only if it is restored",
        )
    return MutationResult(
        **base,
        status=status,
        reason=reason,  # type: ignore[arg-type]
        conflicts=outcome.conflicts,
    ), rec


def check_write(account: Account, m: Mutation, rec: Record | None) -> None:
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


def validate_payload(
    entity: str, payload: dict[str, Any], *, session: Session, account: Account
) -> dict[str, Any]:
    """The payload's values checked by the field registry, in their wire form."""
    spec = ENTITIES[entity]
    ctx = InputContext()
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
        if fspec.kind == "ref" and fspec.ref == "customer" and value is not None:
            value = follow_merged(session, value) or value  # a merged customer: its survivor
        if fspec.kind == "ref" and value is not None:
            target = session.get(Record, value)
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


def create_record(
    session: Session, account: Account, m: Mutation, hlc: str, changes: ChangeSet
) -> Record:
    payload = dict(m.payload)
    owner = payload.pop("owner_id", None)
    if not (is_manager(account) and owner and session.get(Account, owner)):
        owner = account.id
    if m.entity == "expense" and payload.get("status", "draft") != "draft":
        raise Refused("a new claim starts as a draft")
    values = validate_payload(m.entity, payload, session=session, account=account)
    _check_whole(m.entity, values)
    now = utcnow()
    rec = Record(
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
    )
    session.add(rec)
    session.flush()
    changes.touch(rec, fields=dict.fromkeys([*values, "deleted"], account.id))
    if m.entity == "customer":
        flag_duplicates(session, rec, changes)
    return rec


def merge_record(
    session: Session,
    account: Account,
    m: Mutation,
    rec: Record,
    hlc: str,
    changes: ChangeSet,
    names: dict[str, str],
) -> MergeOutcome:
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
        incoming = validate_payload(m.entity, payload, session=session, account=account)
    state = values | {"deleted": rec.deleted}
    clocks = json.loads(rec.field_hlc)
    outcome = merge_fields(
        state, clocks, json.loads(rec.field_version), incoming, hlc, m.base_version, names
    )
    if not outcome.changed and clocks == json.loads(rec.field_hlc):
        return outcome
    deleted = bool(state.pop("deleted"))
    if not deleted:
        _check_whole(m.entity, state)
    rec.data = json.dumps(state, ensure_ascii=False)
    rec.deleted = deleted
    rec.field_hlc = json.dumps(clocks)
    rec.updated_at = utcnow()
    rec.updated_by = account.id
    session.add(rec)
    changes.touch(rec, fields=dict.fromkeys(outcome.changed, account.id))
    if m.entity == "customer" and ({"name", "phone", "email", "deleted"} & set(outcome.changed)):
        flag_duplicates(session, rec, changes)
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
