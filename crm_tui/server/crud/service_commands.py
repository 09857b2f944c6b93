"""Provides the server's side of a service order's steps (issue 15): request, withdraw,
approve, reject, start, finish, close and cancel as `command` mutations, checked against the
stored row and the rule book (a manager approves, never their own request; the assigned
engineer starts and finishes), ordered by the server's own clock. The server alone sets
who decided and when each step happened, and on approval `dispatched_to`, which makes the
order visible to the engineer (permissions.READER_FIELDS). Wired from commands.run_command.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from crm_tui.domain import service_rules as rules
from crm_tui.domain.fields import to_wire
from crm_tui.domain.permissions import why_not_service_step
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.merge import MergeOutcome
from crm_tui.server.crud.records import ChangeSet, actor_of, utcnow
from crm_tui.server.crud.validate import validate_payload
from crm_tui.server.crud.write import apply_step
from crm_tui.server.models import Account, Record
from crm_tui.sync.protocol import Mutation


def run_service_command(
    session: Session,
    account: Account,
    m: Mutation,
    rec: Record,
    changes: ChangeSet,
    clock: ServerClock,
) -> MergeOutcome:
    command = str(m.payload.get("command", ""))
    if rec.deleted:
        raise Refused("this service order was deleted")
    values = json.loads(rec.data)
    try:
        target = rules.check_step(command, str(values.get("status") or "new"))
    except rules.ServiceError as exc:
        raise Refused(exc.message) from None
    engineer = values.get("engineer_id")
    reason = why_not_service_step(actor_of(account), command, rec.owner_id, engineer)
    if reason:
        raise Refused(reason)
    fields = m.payload.get("fields") or {}
    if not isinstance(fields, dict):
        raise Refused("a service command carries its fields as an object")
    update = _given(session, account, command, fields)
    update["status"] = target.value
    update |= _stamps(command, account.id, engineer, to_wire(utcnow()))
    if command == "request" and not engineer:
        raise Refused("name the engineer to send before requesting dispatch")
    if command == "reject" and not (update.get("decision_note") or ""):
        raise Refused("say why the dispatch is rejected")
    return apply_step(session, account, rec, values, update, changes, clock)


def _given(
    session: Session, account: Account, command: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """What the laptop may send with a step: a decision's note; the finish report."""
    allowed: tuple[str, ...] = ()
    if command in ("approve", "reject"):
        allowed = ("decision_note",)
    elif command == "finish":
        allowed = (*rules.REPORT_FIELDS, "currency")
    given = {k: v for k, v in fields.items() if k in allowed}
    update = validate_payload("service", given, session=session, account=account)
    if command == "finish":
        try:
            rules.check_report(
                update.get("minutes"),
                {k: update[k] for k in rules.COST_FIELDS if update.get(k) is not None},
                update.get("rating"),
            )
        except rules.ServiceError as exc:
            raise Refused(f"{exc.field}: {exc.message}") from None
    return update


def _stamps(command: str, user_id: str, engineer: str | None, now: str) -> dict[str, Any]:
    if command == "request":
        return {"requested_at": now, "approver_id": None, "decision_note": None}
    if command == "approve":
        return {"approver_id": user_id, "approved_at": now, "dispatched_to": engineer}
    if command == "reject":
        return {"approver_id": user_id}
    if command == "start":
        return {"started_at": now}
    if command == "finish":
        return {"finished_at": now}
    if command == "close":
        return {"closed_at": now}
    return {}
