"""Provides the business steps a push may carry as `command` mutations: a claim's submit,
withdraw, approve, reject and reimburse; a manager's reassign; a manager's customer merge.

They are checked against the current row and ordered by the server's own clock (not merged
by the laptop's), and only the server sets who decided and when.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from crm_tui.domain import rules
from crm_tui.domain.fields import to_wire
from crm_tui.domain.permissions import partition_for, why_not_claim_step, why_not_reassign
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.customer_merge import merge_customer
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.merge import MergeOutcome
from crm_tui.server.crud.payment_commands import run_payment_command
from crm_tui.server.crud.pool_commands import POOL_COMMANDS, run_pool_command
from crm_tui.server.crud.records import ChangeSet, actor_of, utcnow
from crm_tui.server.crud.report_commands import run_report_command
from crm_tui.server.crud.service_commands import run_service_command
from crm_tui.server.crud.validate import validate_payload
from crm_tui.server.crud.write import apply_step
from crm_tui.server.models import Account, Record
from crm_tui.sync.protocol import Mutation


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
    if m.entity == "payment":
        return run_payment_command(session, account, m, rec, changes, clock)
    if m.entity == "service":  # issue 15: service_commands.py
        return run_service_command(session, account, m, rec, changes, clock)
    if m.entity == "work_report":  # issue 17: report_commands.py
        return run_report_command(session, account, m, rec, changes, clock)
    if m.entity == "customer" and command in POOL_COMMANDS:  # issue 18: pool_commands.py
        return run_pool_command(session, account, m, rec, changes, clock)
    if m.entity != "expense":
        raise Refused(f"unknown command '{command[:40]}' for a {m.entity}")
    if rec.deleted:
        raise Refused("this claim was deleted")
    try:
        target = rules.ExpenseStatus(command)
    except ValueError:
        raise Refused(f"unknown claim command '{command[:40]}'") from None
    values = json.loads(rec.data)
    current = rules.ExpenseStatus(values.get("status", "draft"))
    reason = why_not_claim_step(actor_of(account), current, target, rec.owner_id)
    if reason:
        raise Refused(reason)
    needed = rules.EXPENSE_TRANSITIONS[current][target]
    fields = m.payload.get("fields") or {}
    if not isinstance(fields, dict):
        raise Refused("a claim command carries its fields as an object")
    # Only the decision's note comes from the laptop, and only with a decision; approver,
    # decision time and submission time are the server's.
    given = {}
    if needed is rules.Role.MANAGER and "decision_note" in fields:
        given["decision_note"] = fields["decision_note"]
    update = validate_payload("expense", given, session=session, account=account)
    update["status"] = target.value
    now = to_wire(utcnow())
    if target is rules.ExpenseStatus.SUBMITTED:
        update["submitted_at"] = now
    if needed is rules.Role.MANAGER:
        update["approver_id"] = account.id
        update["decided_at"] = now
        if target is rules.ExpenseStatus.REJECTED and not (update.get("decision_note") or ""):
            raise Refused("say why the claim is rejected")
    return apply_step(session, account, rec, values, update, changes, clock)


def _reassign(
    session: Session, account: Account, m: Mutation, rec: Record, changes: ChangeSet
) -> MergeOutcome:
    reason = why_not_reassign(actor_of(account))
    if reason:
        raise Refused(reason)
    owner = str(m.payload.get("owner_id") or "")
    if session.get(Account, owner) is None:
        raise Refused(f"no team member {owner[:64]}")
    old_partition = rec.partition
    rec.owner_id = owner
    rec.partition = partition_for(rec.entity, owner)
    rec.updated_at = utcnow()
    rec.updated_by = account.id
    session.add(rec)
    changes.touch(rec, fields={"owner_id": account.id}, old_partition=old_partition)
    return MergeOutcome(changed={"owner_id": owner})
