"""Provides the pull side of the change log: the next page of changes a user may see.

A page is read by the `(partition, seq)` index (one range per partition a rep reads, merged
in seq order; a manager, who reads almost everything, walks the seq key), and the response
body is built from the stored snapshot strings without parsing them again: the snapshots
were written by the server itself (`records.snapshot`) and already have the wire shape.

An upsert superseded by a later version of the same row (`seq < record.version`) is left
out, so a new laptop gets one copy of each row. That later version is itself at a higher
seq, so the page's cursor never passes it unseen; a `remove` is never left out (the
readers of the row's old partition must still hear it has gone).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from crm_tui.server.crud.records import is_manager
from crm_tui.server.models import Account

_SUPERSEDED = (
    "(c.op <> 'upsert' OR NOT EXISTS "
    "(SELECT 1 FROM record r WHERE r.id = c.row_id AND r.version > c.seq))"
)
_COLUMNS = "SELECT c.seq, c.entity, c.row_id, c.op, c.data FROM change_log c"


def _partition_page(
    session: Session, partition: str, after: int, limit: int
) -> list[tuple[Any, ...]]:
    sql = (
        f"{_COLUMNS} WHERE c.partition = :p AND c.seq > :after AND {_SUPERSEDED} "
        "ORDER BY c.seq LIMIT :n"
    )
    result = session.connection().execute(text(sql), {"p": partition, "after": after, "n": limit})
    return [tuple(r) for r in result]


def _manager_page(session: Session, account: Account, after: int, limit: int) -> list[Any]:
    sql = (
        f"{_COLUMNS} WHERE c.seq > :after AND (c.partition IN ('team', :own) "
        f"OR c.partition LIKE :users) AND {_SUPERSEDED} ORDER BY c.seq LIMIT :n"
    )
    own = f"self:{account.id}"
    result = session.connection().execute(
        text(sql), {"own": own, "users": "user:%", "after": after, "n": limit}
    )
    return [tuple(r) for r in result]


def read_rows(
    session: Session, *, account: Account, after: int, limit: int
) -> tuple[list[tuple[Any, ...]], int, bool]:
    """The next `limit` readable, not superseded change-log rows after `after` as (seq,
    entity, row_id, op, data-json) tuples, the cursor to resume from, and whether more
    follow."""
    # Read the counter first: every seq up to it is committed (the counter row is written
    # last in each write transaction and held to commit), so when this page reaches the end
    # the cursor may move to it even if its last rows were superseded or unreadable.
    top = session.connection().execute(text("SELECT value FROM change_counter WHERE id = 1"))
    last_committed = int(top.scalar() or 0)
    if is_manager(account):
        rows = _manager_page(session, account, after, limit + 1)
    else:
        rows = []
        for partition in ("team", f"self:{account.id}", f"user:{account.id}"):
            rows += _partition_page(session, partition, after, limit + 1)
        rows.sort(key=lambda r: r[0])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if has_more:
        cursor = rows[-1][0]
    else:
        cursor = max([after, last_committed, *(r[0] for r in rows[-1:])])
    return rows, cursor, has_more


def read_changes(
    session: Session, *, account: Account, after: int, limit: int, server_hlc: str
) -> bytes:
    """The next page of changes this user may see, oldest first, as the JSON body of a
    `PullResponse` (the stored snapshots are passed through, not parsed)."""
    rows, cursor, has_more = read_rows(session, account=account, after=after, limit=limit)
    dumps = json.dumps
    parts = [
        f'{{"seq":{seq},"entity":{dumps(entity)},"row_id":{dumps(row_id)},'
        f'"op":{dumps(op)},"data":{data if data else "null"}}}'
        for seq, entity, row_id, op, data in rows
    ]
    body = (
        '{"changes":['
        + ",".join(parts)
        + f'],"cursor":{int(cursor)},"has_more":{"true" if has_more else "false"},'
        + f'"server_hlc":{dumps(server_hlc)}}}'
    )
    return body.encode()
