"""Provides the server's check of fields a plain patch may not change (domain/owned_fields.py):
a customer's place in the pool and a check-in's time and place. A patch that changes one
is refused with the reason (the laptop puts the row back to the server's version); a value
equal to the stored one passes (an edit form may send it unchanged). A check-in's end is
set once. A create keeps a customer out of the pool and unlocked: only the pool commands
put it there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from crm_tui.domain.owned_fields import ONCE, OWNED, changed
from crm_tui.server.crud.errors import Refused

# entities whose owned fields the server enforces (instalments' paid amounts are still
# written by the laptop that recorded the payment: not enforced here)
ENFORCED = ("customer", "checkin")


def check_patch(entity: str, payload: dict[str, Any], stored: dict[str, Any]) -> None:
    if entity not in ENFORCED:
        return
    fields, why = OWNED[entity]
    moved = sorted(k for k in fields & payload.keys() if changed(stored.get(k), payload[k]))
    if moved:
        raise Refused(f"{', '.join(moved)}: {why}")
    for name in ONCE.get(entity, frozenset()) & payload.keys():
        if stored.get(name) not in (None, "") and changed(stored.get(name), payload[name]):
            raise Refused(f"{name}: a visit is checked out once")


def clean_create(entity: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A new customer starts out of the pool and unlocked, whatever a create says; an
    "owned since" in the future (which would keep it from the pool forever) is dropped."""
    if entity != "customer":
        return payload
    # Only what a create may not say is changed (an unchanged create is not echoed back).
    out = dict(payload)
    for name in _POOL_ONLY:
        if payload.get(name) not in (None, ""):
            out[name] = None
    if payload.get("locked"):
        out["locked"] = False
    if _in_the_future(payload.get("claimed_at")):
        out["claimed_at"] = None
    return out


_POOL_ONLY = frozenset({"pool_since", "previous_owner_id"})


def _in_the_future(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return False  # the field's own check refuses it
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when > datetime.now(UTC) + timedelta(minutes=5)
