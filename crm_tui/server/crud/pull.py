"""Provides the pull side of the change log: the next page of changes a user may see.

A page is read by the `(partition, seq)` index (one range per partition a rep reads, merged
in seq order; a manager, who reads almost everything, walks the seq key), and the response
body is built from the stored snapshot strings without parsing them again: the snapshots
were written by the server itself (`records.snapshot`) and already have the wire shape.

A page reads only up to the change counter as it stood when the page began (`top`): every
seq up to it is committed (the counter row is held to commit, so seqs commit in order), and
on PostgreSQL, where each statement sees what is committed when it starts, a write that
commits between the page's statements (between a rep's partitions, or between the rows and
their latest versions) must not move the cursor past rows an earlier statement missed.

An upsert superseded by a later version of the same row (`seq < record.version`) is left
out, so a new laptop gets one copy of each row, but only when that later version is within
`top`: then this pull brings it (it is at a higher seq, so the cursor never passes it
unseen); a version committed after `top` comes with the next pull, so the older copy is
kept meanwhile. A `remove` is never left out (the readers of the row's old partition must
still hear it has gone).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from crm_tui.domain.permissions import own_partitions
from crm_tui.server.crud.records import actor_of, full_clocks
from crm_tui.server.models import Account
from crm_tui.sync.protocol import MAX_PAGE_BYTES

_LATEST = "SELECT id, version FROM record WHERE id IN (SELECT value FROM json_each(:ids))"
_LATEST_PG = "SELECT id, version FROM record WHERE id = ANY(:ids)"


def _partition_seqs(
    session: Session, partition: str, after: int, top: int, limit: int
) -> list[int]:
    """The next seqs of one partition: read from the (partition, seq) index alone."""
    sql = (
        "SELECT seq FROM change_log WHERE partition = :p AND seq > :after AND seq <= :top "
        "ORDER BY seq LIMIT :n"
    )
    params = {"p": partition, "after": after, "top": top, "n": limit}
    return [r[0] for r in session.connection().execute(text(sql), params)]


def _manager_seqs(
    session: Session, account: Account, after: int, top: int, limit: int
) -> list[int]:
    # A manager reads every rep's partition, plus the rows named readers get (a report in
    # its author's own partition that lists this manager as a recipient).
    sql = (
        "SELECT seq FROM change_log WHERE seq > :after AND seq <= :top AND (partition IN "
        "('team', :own, "
        ":read) OR partition LIKE :users) ORDER BY seq LIMIT :n"
    )
    params = {
        "own": f"self:{account.id}",
        "read": f"read:{account.id}",
        "users": "user:%",
        "after": after,
        "top": top,
        "n": limit,
    }
    return [r[0] for r in session.connection().execute(text(sql), params)]


def read_rows(
    session: Session, *, account: Account, after: int, limit: int
) -> tuple[list[tuple[Any, ...]], int, bool]:
    """The next `limit` readable change-log rows after `after`, less the upserts a later
    version of their row supersedes, as (seq, entity, row_id, op, data-json, origin
    device) tuples; the
    cursor to resume from; and whether more follow."""
    conn = session.connection()
    # Read the counter first and nothing past it: every seq up to it is committed (the
    # counter row is held to commit), so every statement below sees all of them, and when
    # this page reaches the end the cursor may move to it even if its last rows were
    # superseded or unreadable (module docstring).
    top = int(conn.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar() or 0)
    if actor_of(account).manager:
        seqs = _manager_seqs(session, account, after, top, limit + 1)
    else:
        seqs = []
        for partition in own_partitions(account.id):
            seqs += _partition_seqs(session, partition, after, top, limit + 1)
        seqs.sort()
    has_more = len(seqs) > limit
    seqs = seqs[:limit]
    if not seqs:
        return [], max(after, top), False
    sqlite = session.get_bind().dialect.name == "sqlite"
    fetched = conn.execute(
        text(
            "SELECT seq, entity, row_id, op, data, origin FROM change_log WHERE seq IN "
            + ("(SELECT value FROM json_each(:seqs))" if sqlite else "(SELECT unnest(:seqs))")
            + " ORDER BY seq"
        ),
        {"seqs": json.dumps(seqs) if sqlite else seqs},
    ).all()
    ids = list({r[2] for r in fetched if r[3] == "upsert"})
    latest = dict(
        conn.execute(
            text(_LATEST if sqlite else _LATEST_PG), {"ids": json.dumps(ids) if sqlite else ids}
        ).all()
    )
    # Left out only when this pull brings the later version (within `top`).
    rows = [
        tuple(r) for r in fetched if r[3] != "upsert" or not r[0] < latest.get(r[2], r[0]) <= top
    ]
    cursor = seqs[-1] if has_more else max(after, top)
    return rows, cursor, has_more


_QUOTED = {name: json.dumps(name) for name in ("upsert", "remove", "version")}
_SAFE_ID = re.compile(r"[\w\-]+\Z", re.ASCII)


def _quoted(value: str) -> str:
    return f'"{value}"' if _SAFE_ID.match(value) else json.dumps(value)


def read_changes(
    session: Session,
    *,
    account: Account,
    after: int,
    limit: int,
    server_hlc: str,
    max_bytes: int = MAX_PAGE_BYTES,
    echo_device: str | None = None,
    notices: bool = False,
    compact_clocks: bool = False,
) -> bytes:
    """The next page of changes this user may see, oldest first, as the JSON body of a
    `PullResponse` (the stored snapshots are passed through, not parsed); at most `limit`
    changes and, past the first, `max_bytes` of them. `echo_device`: the pulling device,
    when it takes its own exact writes as version-only changes (CONTRACT-21.md). `notices`:
    the laptop takes "conflict" changes (an older one refuses a page holding one).
    `compact_clocks`: the laptop reads compact field clocks; else each is written out."""
    rows, cursor, has_more = read_rows(session, account=account, after=after, limit=limit)
    dumps = json.dumps
    parts: list[str] = []
    size, parts_seq = 0, after
    for seq, entity, row_id, op, data, origin in rows:
        if op == "conflict" and not notices:
            continue
        if echo_device is not None and origin == echo_device and op == "upsert":
            op, data = "version", f'{{"version":{int(seq)}}}'
        elif op == "upsert" and not compact_clocks and data:
            data = full_clocks(data)  # a laptop of an earlier release
        part = (
            f'{{"seq":{seq},"entity":{_quoted(entity)},"row_id":{_quoted(row_id)},'
            f'"op":{_QUOTED.get(op) or dumps(op)},"data":{data if data else "null"}}}'
        )
        # UTF-8 bytes (isascii is O(1) in CPython: only non-ASCII rows are encoded to count).
        size += len(part) if part.isascii() else len(part.encode())
        if parts and size > max_bytes:
            # Capped by bytes as well as rows: the rest comes with the next page.
            cursor, has_more = parts_seq, True
            break
        parts.append(part)
        parts_seq = seq
    body = (
        '{"changes":['
        + ",".join(parts)
        + f'],"cursor":{int(cursor)},"has_more":{"true" if has_more else "false"},'
        + f'"server_hlc":{dumps(server_hlc)}}}'
    )
    return body.encode()
