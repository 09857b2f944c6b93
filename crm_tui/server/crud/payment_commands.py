"""Provides the server's side of quote to cash (issue 19): the `confirm` command on a payment
received (a manager, never for a payment they entered; the server sets who and when), the
fields only the server writes (a payment's status and confirmation, a contract's number),
and contract numbers: a laptop's provisional `HT-2026-P-…` becomes `HT-2026-0042`.

Wired from commands.run_command and write.create_record / merge_record (owned by C).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crm_tui.domain import sales_docs
from crm_tui.domain.fields import to_wire
from crm_tui.domain.permissions import why_not_confirm_payment
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.merge import MergeOutcome, decide
from crm_tui.server.crud.records import ChangeSet, actor_of, utcnow
from crm_tui.server.crud.write import store
from crm_tui.server.models import Account, Record
from crm_tui.sync.protocol import MAX_SEQ, Mutation

# A payment's fields only the `confirm` command (the server) writes.
PAYMENT_SERVER_FIELDS = frozenset({"status", "confirmed_by", "confirmed_at"})
_CONFIRMED_RE = re.compile(r"^HT-(\d{4})-(\d{4,})$")


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
    decision = decide(
        kind="patch",
        values=values,
        deleted=False,
        clocks=json.loads(rec.field_hlc),
        versions={},
        incoming=update,
        hlc=clock.tick(),
        base_version=MAX_SEQ,
    )
    store(rec, decision, account)
    session.add(rec)
    changes.touch(rec, fields=dict.fromkeys(decision.outcome.changed, account.id))
    return MergeOutcome(changed=decision.outcome.changed)


def clean_create(entity: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A create's payload without what only the server writes (refused where it matters)."""
    if entity == "payment":
        if payload.get("status") not in (None, sales_docs.PaymentStatus.ENTERED.value):
            raise Refused("a payment is entered first; a manager confirms it")
        return {k: v for k, v in payload.items() if k not in PAYMENT_SERVER_FIELDS - {"status"}}
    return payload


def check_patch(entity: str, payload: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """A patch's payload as the server accepts it: a confirmed payment is locked, its
    confirmation is the command's; a contract's number is the server's."""
    if entity == "payment":
        if stored.get("status") == sales_docs.PaymentStatus.CONFIRMED.value:
            raise Refused("a confirmed payment is locked")
        if PAYMENT_SERVER_FIELDS & set(payload):
            raise Refused("a manager confirms a payment (the confirm command)")
    if entity == "contract" and "number" in payload:
        return {k: v for k, v in payload.items() if k != "number"}
    return payload


def number_contract(session: Session, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new contract's values with the server's number, HT-<year>-<next>, for the year it
    was signed (else this year). The next number is the year's highest plus one: the push
    runs in one write transaction, which SQLite serialises (on PostgreSQL two concurrent
    pushes could take the same number; C's change counter lock would close that)."""
    if "number" in values and not sales_docs.is_provisional(values.get("number")):
        if values.get("number"):
            raise Refused("the server numbers contracts; send it without a number")
    signed = str(values.get("signed_on") or "")
    year = int(signed[:4]) if signed[:4].isdigit() else now.year
    highest = 0
    rows = session.exec(select(Record.data).where(col(Record.entity) == "contract"))
    for data in rows:
        match = _CONFIRMED_RE.match(str(json.loads(data).get("number") or ""))
        if match and int(match.group(1)) == year:
            highest = max(highest, int(match.group(2)))
    return values | {"number": sales_docs.confirmed_number(year, highest + 1)}
