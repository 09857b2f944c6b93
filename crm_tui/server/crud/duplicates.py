"""Provides duplicate-claim detection: two reps' customers with one normalised name, phone
or e-mail are flagged on both rows (`duplicate_of`), which the whole team, and so both reps
and their manager, pull."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Protocol

from sqlmodel import Session, col, delete, select

from crm_tui.domain.customer_keys import customer_keys
from crm_tui.server.crud.records import ChangeSet, Row, any_of, insert_many
from crm_tui.server.models import CustomerKey, Record


class BatchRows(Protocol):
    """What `flag_rows` needs of a push batch's rows (push_batch.BatchRows)."""

    def get(self, row_id: str) -> Row | None: ...

    def load(self, ids: list[str], *, lock: bool) -> None: ...


def _flag(rec: Record | Row, other_id: str) -> bool:
    data = json.loads(rec.data)
    flagged = list(data.get("duplicate_of") or [])
    if other_id in flagged:
        return False
    data["duplicate_of"] = flagged + [other_id]
    rec.data = json.dumps(data, ensure_ascii=False)
    return True


def flag_duplicates(session: Session, rec: Record, changes: ChangeSet) -> list[str]:
    """Re-key a customer and flag it against other owners' matching customers."""
    session.exec(delete(CustomerKey).where(col(CustomerKey.row_id) == rec.id))
    if rec.deleted:
        return []
    keys = customer_keys(json.loads(rec.data))
    for key in keys:
        session.add(CustomerKey(key=key, row_id=rec.id, owner_id=rec.owner_id))
    session.flush()
    if not keys:
        return []
    others = set(
        session.exec(
            select(CustomerKey.row_id).where(
                col(CustomerKey.key).in_(keys),
                col(CustomerKey.row_id) != rec.id,
                col(CustomerKey.owner_id) != rec.owner_id,
            )
        )
    )
    found = []
    for other_id in sorted(others):
        other = session.exec(
            select(Record).where(col(Record.id) == other_id).with_for_update()
        ).first()
        if other is None or other.deleted:
            continue
        found.append(other_id)
        if _flag(other, rec.id):
            changes.touch(other)
        if _flag(rec, other_id):
            changes.touch(rec)
    return found


def flag_rows(session: Session, rows: BatchRows, row_ids: list[str], changes: ChangeSet) -> None:
    """`flag_duplicates` for every customer of a push batch at once: re-key them with one
    delete and one insert, find other owners' matches with one query, lock those rows in
    id order, flag both sides."""
    if not row_ids:
        return
    conn = session.connection()
    table = CustomerKey.__table__
    for chunk in _chunks(row_ids):
        test, ids = any_of(conn, chunk)
        conn.exec_driver_sql(f"DELETE FROM customer_key WHERE row_id {test}", ids)
    keyed: dict[str, set[str]] = {}
    for row_id in row_ids:
        rec = rows.get(row_id)
        if rec is not None and not rec.deleted:
            keyed[row_id] = customer_keys(json.loads(rec.data))
    params = [
        {"key": key, "row_id": row_id, "owner_id": rows.get(row_id).owner_id}  # type: ignore[union-attr]
        for row_id, keys in keyed.items()
        for key in keys
    ]
    if not params:
        return
    insert_many(conn, table, params)
    holders: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for chunk in _chunks(sorted({p["key"] for p in params})):
        test, ids = any_of(conn, chunk)
        found = conn.exec_driver_sql(
            f'SELECT "key", row_id, owner_id FROM customer_key WHERE "key" {test}', ids
        )
        for key, row_id, owner in found:
            holders[key].append((row_id, owner))
    matches: dict[str, set[str]] = {}
    for row_id, keys in keyed.items():
        owner = rows.get(row_id).owner_id  # type: ignore[union-attr]
        others = {o for k in keys for o, o_owner in holders[k] if o != row_id and o_owner != owner}
        if others:
            matches[row_id] = others
    rows.load(sorted(set().union(*matches.values())), lock=True)
    for row_id, others in matches.items():
        rec = rows.get(row_id)
        for other_id in sorted(others):
            other = rows.get(other_id)
            if other is None or other.deleted:
                continue
            if _flag(other, row_id):
                changes.touch(other)
            if _flag(rec, other_id):  # type: ignore[arg-type]
                changes.touch(rec)


def _chunks(items: list[str], size: int = 900) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
