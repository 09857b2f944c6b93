"""Provides the pull side of the change log: the next page of changes a user may see."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from crm_tui.server.crud.records import readable_clause
from crm_tui.server.models import Account, ChangeLog
from crm_tui.sync.protocol import Change, PullResponse


def read_changes(
    session: Session, *, account: Account, after: int, limit: int, server_hlc: str
) -> PullResponse:
    """The next page of changes this user may see, oldest first."""
    rows = list(
        session.exec(
            select(ChangeLog)
            .where(col(ChangeLog.seq) > after, readable_clause(account))
            .order_by(col(ChangeLog.seq))
            .limit(limit + 1)
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [
        Change(
            seq=r.seq,
            entity=r.entity,
            row_id=r.row_id,
            op=r.op,  # type: ignore[arg-type]
            data=json.loads(r.data) if r.data else None,
        )
        for r in rows
    ]
    cursor = rows[-1].seq if rows else after
    return PullResponse(changes=changes, cursor=cursor, has_more=has_more, server_hlc=server_hlc)
