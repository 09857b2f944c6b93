"""Provides the work report's fields a plain create or edit may not touch (issue 17): the
status and submit time are the `submit` command's (report_commands.py); a submitted
report's text and figures are final. Called from doc_fields (which write.py calls);
imports nothing of write.py.
"""

from __future__ import annotations

from typing import Any

from crm_tui.server.crud.errors import Refused

COMMAND_FIELDS = frozenset({"status", "submitted_at"})
FINAL_FIELDS = frozenset(
    {"done", "plan", "problems", "figures", "kind", "period", "period_start", "period_end"}
)


def clean_create(payload: dict[str, Any]) -> dict[str, Any]:
    """A new report starts as a draft, without a submit time."""
    if payload.get("status") not in (None, "draft"):
        raise Refused("a report is written as a draft, then submitted")
    return {k: v for k, v in payload.items() if k != "submitted_at"}


def check_patch(payload: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """An edit never submits (the command does); a submitted report's text is final."""
    changed = {k: v for k, v in payload.items() if stored.get(k) != v}
    if COMMAND_FIELDS & set(changed):
        raise Refused("a report is sent by the submit command")
    if stored.get("status") == "submitted" and FINAL_FIELDS & set(changed):
        raise Refused("this report is submitted; its text and figures are final")
    return changed
