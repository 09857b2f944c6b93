"""Provides the server's side of quote to cash (issue 19): the `confirm` command on a payment
received (a manager, never for a payment they entered; the server sets who and when), the
fields only the server writes (a payment's status and confirmation, a contract's number),
and contract numbers (doc_fields.py: write.py calls those, and this module imports
write.py, so they live apart). Wired from commands.run_command (owned by C).
"""

from __future__ import annotations

import json

from sqlmodel import Session

from crm_tui.domain import sales_docs
from crm_tui.domain.fields import to_wire
from crm_tui.domain.permissions import why_not_confirm_payment
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.merge import MergeOutcome
from crm_tui.server.crud.records import ChangeSet, actor_of, utcnow
from crm_tui.server.crud.write import apply_step
from crm_tui.server.models import Account, Record
from crm_tui.sync.protocol import Mutation


def run_payment_command(
    session: Session,
    account: Account,
    m: Mutation,
    rec: Record,
    changes: ChangeSet,
    clock: ServerClock,
) -> MergeOutcome:
    """`confirm` on a payment: checked against the stored row, ordered by the server's clock."""
    command = str(m.payload.get("command", ""))
    if command != "confirm":
        raise Refused(f"unknown command '{command[:40]}' for a payment")
    if rec.deleted:
        raise Refused("this payment was deleted")
    values = json.loads(rec.data)
    reason = why_not_confirm_payment(
        actor_of(account), rec.owner_id, str(values.get("status") or "entered")
    )
    if reason:
        raise Refused(reason)
    update = {
        "status": sales_docs.PaymentStatus.CONFIRMED.value,
        "confirmed_by": account.id,
        "confirmed_at": to_wire(utcnow()),
    }
    return apply_step(session, account, rec, values, update, changes, clock)
