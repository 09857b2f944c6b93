"""Provides the work report's `submit` command on the server (issue 17): only its author,
only a draft; the server sets the status and the submit time, and the figures the laptop
counted at submit are frozen with it. Wired from commands.run_command.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from crm_tui.domain.fields import to_wire
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.merge import MergeOutcome
from crm_tui.server.crud.records import ChangeSet, utcnow
from crm_tui.server.crud.validate import validate_payload
from crm_tui.server.crud.write import apply_step
from crm_tui.server.models import Account, Record
from crm_tui.sync.protocol import Mutation


def run_report_command(
    session: Session,
    account: Account,
    m: Mutation,
    rec: Record,
    changes: ChangeSet,
    clock: ServerClock,
) -> MergeOutcome:
    """`submit`: the author's draft becomes submitted at the server's time, figures frozen."""
    command = str(m.payload.get("command", ""))
    if command != "submit":
        raise Refused(f"unknown command '{command[:40]}' for a report")
    if rec.deleted:
        raise Refused("this report was deleted")
    if rec.owner_id not in (None, account.id):
        raise Refused("only its author submits a report")
    values = json.loads(rec.data)
    if values.get("status") == "submitted":
        raise Refused("this report is already submitted")
    fields = m.payload.get("fields") or {}
    if not isinstance(fields, dict):
        raise Refused("a report command carries its fields as an object")
    given = {k: fields[k] for k in ("figures",) if k in fields}
    update = validate_payload("work_report", given, session=session, account=account)
    update |= {"status": "submitted", "submitted_at": to_wire(utcnow())}
    return apply_step(session, account, rec, values, update, changes, clock)
