"""Provides the record store: partitions (who sees a row), snapshots and the change log.

Customers, contacts and other team data live in the `team` partition; follow-ups,
opportunities and expenses in their owner's `user:<id>` partition (managers read them all);
saved views in `self:<id>`, read by their owner only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from crm_tui.domain.fields import to_wire
from crm_tui.server.models import Account, ChangeCounter, ChangeLog, Record
from crm_tui.sync.protocol import Change, PullResponse

TEAM_ENTITIES = frozenset(
    {"user", "customer", "contact", "competitor", "announcement", "lost_reason"}
)
SELF_ENTITIES = frozenset({"saved_query"})
MANAGER_ROLES = frozenset({"manager", "admin"})


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_manager(account: Account) -> bool:
    return account.role in MANAGER_ROLES


def partition_for(entity: str, owner_id: str | None) -> str:
    if entity in TEAM_ENTITIES:
        return "team"
    if entity in SELF_ENTITIES:
        return f"self:{owner_id}"
    return f"user:{owner_id}"


def can_read(account: Account, partition: str) -> bool:
    if partition in ("team", f"self:{account.id}", f"user:{account.id}"):
        return True
    return is_manager(account) and partition.startswith("user:")


def readable_clause(account: Account) -> Any:
    mine = col(ChangeLog.partition).in_(["team", f"self:{account.id}", f"user:{account.id}"])
    if is_manager(account):
        return or_(mine, col(ChangeLog.partition).startswith("user:"))
    return mine


def snapshot(rec: Record) -> dict[str, Any]:
    """The row as the wire carries it: values, owner, tombstone, clocks, version."""
    return {
        "fields": json.loads(rec.data),
        "owner_id": rec.owner_id,
        "deleted": rec.deleted,
        "field_hlc": json.loads(rec.field_hlc),
        "created_at": to_wire(rec.created_at),
        "updated_at": to_wire(rec.updated_at),
        "version": rec.version,
    }


@dataclass
class ChangeSet:
    """The rows one write transaction touched; `commit` logs them with seqs taken last."""

    rows: dict[str, Record] = field(default_factory=dict)
    old_partitions: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def touch(
        self,
        rec: Record,
        *,
        fields: dict[str, str | None] | None = None,
        old_partition: str | None = None,
    ) -> None:
        """Mark `rec` changed; `fields` maps each changed field to who changed it."""
        self.rows[rec.id] = rec
        self.fields.setdefault(rec.id, {}).update(fields or {})
        if old_partition and old_partition != rec.partition:
            self.old_partitions.setdefault(rec.id, old_partition)

    def commit(self, session: Session) -> None:
        entries: list[tuple[str, str, Record]] = []
        for row_id, rec in self.rows.items():
            old = self.old_partitions.get(row_id)
            if old and old != rec.partition:
                entries.append(("remove", old, rec))
            entries.append(("upsert", rec.partition, rec))
        if not entries:
            return
        session.flush()
        # The counter row is updated after every other write of the transaction and stays
        # locked to commit, so a later seq can only belong to a later commit.
        top = session.execute(
            update(ChangeCounter)
            .where(col(ChangeCounter.id) == 1)
            .values(value=ChangeCounter.value + len(entries))
            .returning(ChangeCounter.value)
        ).scalar_one()
        seq = top - len(entries)
        for op, partition, rec in entries:
            seq += 1
            data = None
            if op == "upsert":
                rec.version = seq
                versions = json.loads(rec.field_version)
                for name, who in self.fields.get(rec.id, {}).items():
                    versions[name] = [seq, who]
                rec.field_version = json.dumps(versions)
                session.add(rec)
                data = json.dumps(snapshot(rec), ensure_ascii=False)
            session.add(
                ChangeLog(
                    seq=seq, partition=partition, entity=rec.entity, row_id=rec.id, op=op, data=data
                )
            )
        session.flush()
        self.rows.clear()
        self.old_partitions.clear()
        self.fields.clear()


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
