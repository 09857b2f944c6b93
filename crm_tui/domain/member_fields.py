"""Provides which fields hold team members' user ids (an owner, a service order's engineer,
a work report's recipients ...) and how a human format shows them: the member's name.

Kept as plain data, without the field registry, so the quick read commands (issue 20) can
use it; tests/speed/test_member_names.py checks it against the registry (every `ref="user"`
field, every permissions.READER_FIELDS entry). json/csv keep the ids: scripts rely on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# SyncedRecord's owner, on every record type.
EVERY: frozenset[str] = frozenset({"owner_id"})
# entity -> its other fields holding user ids (one id, or several separated by spaces/commas).
BY_ENTITY: dict[str, frozenset[str]] = {
    "customer": frozenset({"previous_owner_id"}),
    "expense": frozenset({"approver_id"}),
    "payment": frozenset({"confirmed_by"}),
    "campaign_member": frozenset({"attended_by", "status_by"}),
    "target": frozenset({"user_id"}),
    "service": frozenset({"engineer_id", "approver_id", "dispatched_to"}),
    "service_plan": frozenset({"engineer_id"}),
    "work_report": frozenset({"recipients"}),
    "report_comment": frozenset({"audience"}),
    "report_read": frozenset({"audience"}),
}

# An id inside a field's text; what lies between (spaces, commas) is kept as it is.
_TOKEN = re.compile(r"[^\s,]+")


def member_fields(entity: str) -> frozenset[str]:
    """The fields of `entity` whose values are team members' user ids."""
    return EVERY | BY_ENTITY.get(entity, frozenset())


def ids_in(entity: str, rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every user id in the member fields of these rows (for one names query)."""
    fields = member_fields(entity)
    out: set[str] = set()
    for row in rows:
        for name in fields:
            value = row.get(name)
            if isinstance(value, str):
                out.update(_TOKEN.findall(value))
    return out


def named(value: Any, names: Mapping[str, Any]) -> Any:
    """`value` with each user id in it replaced by the member's name (an id no member has
    stays); separators are kept, so a list reads as it did with ids."""
    if not isinstance(value, str) or not value:
        return value
    return _TOKEN.sub(lambda m: names.get(m.group(0)) or m.group(0), value)
