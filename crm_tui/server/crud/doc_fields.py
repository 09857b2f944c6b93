"""Provides the fields only the server writes in quote to cash (issue 19): a payment's
status and confirmation (the `confirm` command's, payment_commands.py) and a contract's
number: a laptop's provisional `HT-2026-P-…` becomes `HT-2026-0042` on the server.

Called from write.create_record / merge_record (owned by C); imports nothing of write.py.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crm_tui.domain import sales_docs, service_rules
from crm_tui.server.crud import owned_fields, report_fields, service_fields
from crm_tui.server.crud.errors import Refused
from crm_tui.server.models import Record

# A payment's fields only the `confirm` command (the server) writes.
PAYMENT_SERVER_FIELDS = frozenset({"status", "confirmed_by", "confirmed_at"})
_CONFIRMED_RE = re.compile(r"^HT-(\d{4})-(\d{4,})$")
_SERVICE_RE = re.compile(r"^SV-(\d{4})-(\d{4,})$")


def clean_create(entity: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A create's payload without what only the server writes (refused where it matters)."""
    payload = owned_fields.clean_create(entity, payload)
    if entity == "service":  # issue 15
        return service_fields.clean_create(payload)
    if entity == "work_report":  # issue 17
        return report_fields.clean_create(payload)
    if entity == "payment":
        if payload.get("status") not in (None, sales_docs.PaymentStatus.ENTERED.value):
            raise Refused("a payment is entered first; a manager confirms it")
        return {k: v for k, v in payload.items() if k not in PAYMENT_SERVER_FIELDS - {"status"}}
    return payload


def check_patch(entity: str, payload: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """A patch's payload as the server accepts it: a confirmed payment is locked, its
    confirmation is the command's; a contract's number is the server's."""
    owned_fields.check_patch(entity, payload, stored)  # the pool's fields, a check-in's place
    if entity == "service":  # issue 15
        return service_fields.check_patch(payload, stored)
    if entity == "work_report":  # issue 17
        return report_fields.check_patch(payload, stored)
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
    runs in one write transaction, which SQLite serialises (on PostgreSQL write.py holds an
    advisory lock to commit)."""
    signed = str(values.get("signed_on") or "")
    year = int(signed[:4]) if signed[:4].isdigit() else now.year
    return _numbered(session, "contract", values, year, _CONFIRMED_RE, sales_docs)


def number_service(session: Session, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new service order's values with the server's number, SV-<year>-<next> (issue 15),
    for the year of its planned start (else this year), as contracts are numbered."""
    year = service_fields.number_year(values, now.year)
    return _numbered(session, "service", values, year, _SERVICE_RE, service_rules)


# entity -> how write.create_record numbers a new row (under the numbering lock)
NUMBERED = {"contract": number_contract, "service": number_service}


def _numbered(
    session: Session,
    entity: str,
    values: dict[str, Any],
    year: int,
    pattern: re.Pattern[str],
    scheme: Any,
) -> dict[str, Any]:
    if "number" in values and not scheme.is_provisional(values.get("number")):
        if values.get("number"):
            raise Refused(f"the server numbers {entity}s; send it without a number")
    highest = 0
    rows = session.exec(select(Record.data).where(col(Record.entity) == entity))
    for data in rows:
        match = pattern.match(str(json.loads(data).get("number") or ""))
        if match and int(match.group(1)) == year:
            highest = max(highest, int(match.group(2)))
    return values | {"number": scheme.confirmed_number(year, highest + 1)}
