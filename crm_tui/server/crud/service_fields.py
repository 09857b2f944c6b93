"""Provides the fields only the server writes on a service order (issue 15): the steps'
status, times and deciders (the commands' own, service_commands.py), the finish report
(the `finish` command's), and its number: a laptop's provisional `SV-2026-P-…` becomes
`SV-2026-0042` (numbered as contracts are, doc_fields.py).

Called from doc_fields (which write.py calls); imports nothing of write.py.
"""

from __future__ import annotations

from typing import Any

from crm_tui.domain import service_rules as rules
from crm_tui.server.crud.errors import Refused

# Never from a plain create or patch: the steps and the report are commands.
_COMMAND_ONLY = (rules.STEP_FIELDS - {"status"}) | set(rules.REPORT_FIELDS)


def clean_create(payload: dict[str, Any]) -> dict[str, Any]:
    """A new order starts as new, with none of the steps' or the report's fields."""
    if payload.get("status") not in (None, rules.ServiceStatus.NEW.value):
        raise Refused("a new service order starts as new; request dispatch next")
    return {k: v for k, v in payload.items() if k not in _COMMAND_ONLY}


def check_patch(payload: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """A plain edit changes what the rep wrote, before dispatch; the number is the
    server's (dropped, as for contracts). Values equal to the stored ones are dropped
    first, and so are the blank step fields a create carries (a plan's visit made on two
    laptops arrives twice as a create of one id: the second changes nothing)."""
    status = str(stored.get("status") or rules.ServiceStatus.NEW.value)
    if not payload and not rules.is_editable(status):  # a delete (or restore) carries none
        raise Refused(f"a {rules.label(status)} service order cannot be deleted; cancel it")
    changed = {k: v for k, v in payload.items() if k != "number" and stored.get(k) != v}
    steps = (_COMMAND_ONLY | {"status"}) & set(changed)
    if any(changed[k] not in _BLANK for k in steps):
        raise Refused("a service order moves by its steps (request, approve, start, finish…)")
    changed = {k: v for k, v in changed.items() if k not in steps}
    if changed and not rules.is_editable(status):
        raise Refused(f"this service order is {rules.label(status)}; it is locked")
    return changed


_BLANK = (None, 0, "", rules.ServiceStatus.NEW.value)


def number_year(values: dict[str, Any], now_year: int) -> int:
    """The year a new order is numbered in: its planned start's, else this year."""
    planned = str(values.get("planned_start") or "")
    return int(planned[:4]) if planned[:4].isdigit() else now_year
