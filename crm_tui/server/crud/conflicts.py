"""Provides the server's own conflict log: edits that reached a row deleted on the server
(not on any row, so only this table keeps them) for a manager to read."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from crm_tui.server.models import Account, ServerConflict


def recent_conflicts(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    """The newest lost values first: when, who lost them, the record, field, value, why."""
    names = dict(session.exec(select(Account.id, Account.name)).all())
    rows = session.exec(
        select(ServerConflict).order_by(col(ServerConflict.id).desc()).limit(limit)
    ).all()
    return [
        {
            "at": r.created_at,
            "user": names.get(r.user_id or "", r.user_id),
            "entity": r.entity,
            "row_id": r.row_id,
            "field": r.field,
            "lost_value": json.loads(r.lost_value) if r.lost_value else None,
            "reason": r.reason,
        }
        for r in rows
    ]
