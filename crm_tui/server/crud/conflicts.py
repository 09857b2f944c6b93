"""Provides the server's own conflict log: edits that reached a row deleted on the server
(not on any row, so only this table keeps them) for a manager to read; and which notices of
an overwritten value (merge.py, logged by records.ChangeSet) their member may receive."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from crm_tui.domain.permissions import Actor, can_read_partition
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


def readable_notices(
    session: Session, notices: list[tuple[Any, str, str]]
) -> list[tuple[Any, str, str]]:
    """The (row, user id, conflict JSON) notices whose member still sees the row: a notice
    carries the row's new value, so one who lost sight of it (reassigned) is not sent it."""
    table = Account.__table__
    users = {user_id for _, user_id, _ in notices}
    roles = dict(
        session.connection()
        .execute(select(table.c.id, table.c.role).where(table.c.id.in_(users)))
        .all()
    )
    return [
        (rec, user_id, data)
        for rec, user_id, data in notices
        if user_id in roles
        and (
            can_read_partition(Actor(user_id, roles[user_id]), rec.partition)
            or f"read:{user_id}" in rec.readers.split()
        )
    ]


def notice_log(notices: list[tuple[Any, str, str]], seq: int) -> list[dict[str, Any]]:
    """Change-log rows for `notices`, numbered from `seq` + 1: a "conflict" change in each
    member's own `self:` partition, pulled by her laptops only."""
    return [
        {
            "seq": seq + n,
            "partition": f"self:{user_id}",
            "entity": rec.entity,
            "row_id": rec.id,
            "op": "conflict",
            "data": data,
            "origin": None,
        }
        for n, (rec, user_id, data) in enumerate(notices, 1)
    ]
