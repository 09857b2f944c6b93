"""Provides the checks of a pushed value: the field registry (the laptop's own rules: types,
lengths, ranges, dates 1900-2200, no broken Unicode), references the rep may see, whole-
record rules, and the fields only the server sets."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC
from typing import Any

from sqlmodel import Session

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import (
    ENTITIES,
    FieldError,
    FieldSpec,
    InputContext,
    ValidationErrors,
    check_record,
    from_wire,
    parse_value,
    to_wire,
)
from crm_tui.server.crud.customer_merge import follow_merged
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.records import Row, can_read_row
from crm_tui.server.crud.validate_fast import SLOW, entity_checks, typed_fields
from crm_tui.server.models import Account, Record

# Fields of a claim that only its commands (submit, withdraw, approve, reject) may set.
COMMAND_FIELDS = frozenset({"status", "submitted_at", "decided_at", "decision_note", "approver_id"})
# Of those, the ones the server alone writes (never taken from a laptop, not even in a
# command): who decided and when, and when it was submitted.
SERVER_FIELDS = frozenset({"approver_id", "decided_at", "submitted_at"})

# The wire types each kind accepts (a str is parsed as typed text; bool is not an int).
_WIRE_TYPES: dict[str, tuple[type, ...]] = {
    "money": (int, str),
    "int": (int, str),
    "percent": (int, str),
    "bool": (bool, str),
}


@functools.cache
def _context() -> InputContext:
    # One for the process (making one cost a third of a create), in UTC, not the host's
    # zone: workers on hosts in different zones must read a value the same way.
    return InputContext(clock=Clock(zone=UTC))


def _wire_type_ok(kind: str, raw: Any) -> bool:
    allowed = _WIRE_TYPES.get(kind, (str,))
    if isinstance(raw, bool) and bool not in allowed:
        return False
    return isinstance(raw, allowed)


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
    checks = entity_checks(entity)
    clean: dict[str, Any] = {}
    errors: list[str] = []
    for name, raw in payload.items():
        found = checks.get(name)
        if found is None:
            errors.append(f"{entity} has no field '{str(name)[:64]}'")
            continue
        fspec, fast = found
        value = fast(raw)  # the compiled check: the value as it is stored, or SLOW
        if value is SLOW:
            try:
                value = _full_check(fspec, raw)
            except Refused as exc:
                errors.append(str(exc))
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
                or not can_read_row(account, target)
            ):
                errors.append(f"{name}: no {fspec.ref} {value} on the server")
                continue
        clean[name] = value
    if errors:
        raise Refused("; ".join(errors))
    return clean


def _full_check(fspec: FieldSpec, raw: Any) -> Any:
    """The registry's own path for one value (its wire form), or Refused with the reason."""
    name = fspec.name
    if raw is not None and not _wire_type_ok(fspec.kind, raw):
        raise Refused(f"{name}: a {type(raw).__name__} is not a valid {fspec.kind}")
    if isinstance(raw, str) and len(raw) > fspec.max_len:
        # Before any parser or pattern runs (the registry checks it again on text).
        raise Refused(f"{name}: is {len(raw)} characters long; at most {fspec.max_len}")
    try:
        return to_wire(parse_value(fspec, from_wire(fspec, raw), _context()))
    except FieldError as exc:
        raise Refused(str(exc)[:300]) from None
    except (ValueError, TypeError, AttributeError, OverflowError):
        raise Refused(f"{name}: '{str(raw)[:40]}' is not a valid {fspec.kind}") from None


def check_whole(entity: str, values: dict[str, Any]) -> None:
    """Rules over the whole record (required fields, stage rules)."""
    spec = ENTITIES[entity]
    try:
        # from_wire is the identity but for dates, times and yes/no: only those converted.
        typed = {k: v for k, v in values.items() if k in spec.by_name}
        for f in typed_fields(entity):
            if f.name in typed:
                typed[f.name] = from_wire(f, typed[f.name])
        check_record(entity, typed)
    except ValidationErrors as exc:
        raise Refused(str(exc)) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise Refused(str(exc)) from None
