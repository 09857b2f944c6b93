"""Provides the laptop side of sync that touches SQLite: the outbox to push, the answers to
record, and pulled pages applied with their cursor in one transaction.

No HTTP here (that is sync/client.py): these functions take protocol models and write
through the repositories' tables, so the search index and sort keys stay in step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text

from crm_tui.storage import outbox, pull_store

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlmodel import Session

    from crm_tui.storage.database import Database

CURSOR_KEY = outbox.CURSOR_KEY  # kept for callers; defined once in outbox.py


class Sent(Protocol):
    """A pushed change (`protocol.Mutation` or `outbox.OutboxRow`)."""

    client_seq: int
    mutation_id: str
    entity: str
    row_id: str
    kind: str
    payload: dict[str, Any]
    hlc: str


class Lost(Protocol):
    """A value that lost (`protocol.FieldConflict`)."""

    field: str
    yours: Any
    theirs: Any
    your_hlc: str | None
    their_hlc: str | None
    winner: str
    who: str | None


class Answer(Protocol):
    """The server's answer to one change (`protocol.MutationResult`)."""

    client_seq: int
    mutation_id: str
    status: str
    first_status: str | None
    reason: str | None
    conflicts: Sequence[Lost]
    row: dict[str, Any] | None


@dataclass
class _Refused:
    """A refused value, recorded like a lost one."""

    field: str
    yours: Any
    your_hlc: str | None
    theirs: Any
    winner: str = "theirs"
    their_hlc: str | None = None
    who: str | None = None


@dataclass
class PushOutcome:
    applied: int = 0
    conflicts: int = 0
    rejected: int = 0
    duplicates: int = 0


def cursor(db: Database) -> int:
    return int(db.state(CURSOR_KEY) or 0)


def outbox_batch(db: Database, limit: int) -> list[outbox.OutboxRow]:
    """The oldest `limit` pending changes (sync/client.py turns them into wire mutations)."""
    return outbox.batch(db.engine, limit)


def spent_client_seq(db: Database) -> int:
    """The outbox seq before the oldest pending change (a new device's starting mark)."""
    return outbox.spent_client_seq(db.engine)


def note_push_failure(db: Database, seqs: list[int], error: str) -> None:
    with db.transaction() as s:
        outbox.note_failure(s, seqs, error)


def _pending(s: Session, row_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    return outbox.pending_for(s, row_ids)


def _local_version(s: Session, entity: str, row_id: str) -> int | None:
    from crm_tui.domain.fields import ENTITIES

    table = ENTITIES[entity].table
    return (
        s.connection()
        .execute(text(f'SELECT server_version FROM "{table}" WHERE id = :id'), {"id": row_id})
        .scalar()
    )


def _record_conflict(
    s: Session,
    db: Database,
    *,
    entity: str,
    row_id: str,
    conflict: Lost,
    kind: str = "conflict",
    reason: str | None = None,
) -> None:
    # "deleted": the rep's edit reached a row deleted on the server and was not applied.
    yours_lost = conflict.winner in ("theirs", "deleted")
    if conflict.winner == "deleted":
        kind = "deleted"
        reason = getattr(conflict, "reason", None) or reason
    s.connection().execute(
        text(
            "INSERT INTO conflict(entity, row_id, field, kind, losing_value, winning_value, "
            "losing_hlc, winning_hlc, who, reason, at) "
            "VALUES (:e, :r, :f, :k, :lv, :wv, :lh, :wh, :who, :why, :at)"
        ),
        {
            "e": entity,
            "r": row_id,
            "f": conflict.field,
            "k": kind,
            "lv": json.dumps(conflict.yours if yours_lost else conflict.theirs, ensure_ascii=False),
            "wv": json.dumps(conflict.theirs if yours_lost else conflict.yours, ensure_ascii=False),
            "lh": conflict.your_hlc if yours_lost else conflict.their_hlc,
            "wh": conflict.their_hlc if yours_lost else conflict.your_hlc,
            "who": conflict.who,
            "why": reason,
            "at": db.clock.now().isoformat(),
        },
    )


def _server_value(row: dict[str, Any] | None, name: str) -> Any:
    if row is None:
        return None
    if name == "deleted":
        return row.get("deleted")
    return (row.get("fields") or {}).get(name)


def apply_push_results(
    db: Database, sent: Sequence[Sent], results: Sequence[Answer]
) -> PushOutcome:
    """Record the server's answers and drop the answered outbox rows, in one transaction.

    A rejected change keeps its values in `conflict` (kind 'rejected', with the reason) and
    the row goes back to the server's version; a refused creation is hidden locally.
    """
    by_seq = {m.client_seq: m for m in sent}
    answered = [
        (by_seq[r.client_seq], r)
        for r in results
        if r.client_seq in by_seq and by_seq[r.client_seq].mutation_id == r.mutation_id
    ]
    out = PushOutcome()
    with db.transaction() as s:
        # Every answered change leaves the outbox (one statement); only the ones not simply
        # applied need more work, with the outbox already holding just what is unanswered.
        outbox.drop(s, [m.client_seq for m, _ in answered])
        for m, result in answered:
            status = result.first_status or result.status
            out.duplicates += result.status == "duplicate"
            if status == "applied":
                out.applied += 1
                continue
            repo = db.repos.by_entity[m.entity]
            if status == "rejected":
                out.rejected += 1
                values = (m.payload.get("fields") if m.kind == "command" else m.payload) or {}
                if m.kind in ("delete", "restore"):
                    values = {"deleted": m.kind == "delete"}
                for name, value in values.items():
                    if name == "owner_id":
                        continue
                    _record_conflict(
                        s,
                        db,
                        entity=m.entity,
                        row_id=m.row_id,
                        kind="rejected",
                        reason=result.reason,
                        conflict=_Refused(
                            field=name,
                            yours=value,
                            your_hlc=m.hlc,
                            theirs=_server_value(result.row, name),
                        ),
                    )
            elif status == "applied_with_conflict":
                out.conflicts += 1
                for conflict in result.conflicts:
                    _record_conflict(
                        s,
                        db,
                        entity=m.entity,
                        row_id=m.row_id,
                        conflict=conflict,
                        reason=result.reason,
                    )
            if result.row is not None:
                local = _local_version(s, m.entity, m.row_id) or 0
                if result.row.get("version", 0) >= local:
                    repo.apply_remote(
                        s,
                        m.row_id,
                        result.row,
                        version=result.row["version"],
                        pending=_pending(s, [m.row_id]).get(m.row_id, []),
                    )
            elif status == "rejected" and not _local_version(s, m.entity, m.row_id):
                # Never reached the server: hide it here too, its values are in `conflict`.
                repo.tombstone_local(s, m.row_id)
    return out


def apply_pull_page(
    db: Database, changes: Sequence[pull_store.PulledChange], new_cursor: int
) -> int:
    """Apply one page of changes and its cursor in one transaction; returns rows written
    (storage/pull_store.py)."""
    return pull_store.apply_page(db, changes, new_cursor)


def observe_clock(db: Database, stamp: str) -> None:
    """Ratchet the local clock past the server's, so later edits here order after it."""
    db.hlc.observe(stamp)
    db.set_state(outbox.LAST_HLC_KEY, db.hlc.now().encode())


def conflicts(db: Database, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Every value that lost a conflict or was refused, newest first (for the conflicts view)."""
    sql = "SELECT * FROM conflict"
    if not include_resolved:
        sql += " WHERE resolved = 0"
    with db.engine.connect() as conn:
        rows = conn.execute(text(sql + " ORDER BY id DESC")).mappings().all()
    return [
        dict(r)
        | {
            "losing_value": json.loads(r["losing_value"] or "null"),
            "winning_value": json.loads(r["winning_value"] or "null"),
        }
        for r in rows
    ]


def restore_conflict(db: Database, conflict_id: int) -> str:
    """Put a losing or refused value back as a new edit (it syncs like any other) and mark
    the conflict resolved; returns what was done, for the status line.

    A conflict of kind 'deleted' (an edit that reached a row deleted on the server) brings
    the row back with the edit: a `restore` and then a patch with every value of that edit
    still open, queued in one transaction."""
    from crm_tui.domain.fields import ENTITIES, FieldError, ValidationErrors, from_wire
    from crm_tui.domain.permissions import Actor, why_not_write

    with db.transaction() as s:
        conn = s.connection()
        row = conn.execute(
            text("SELECT entity, row_id, field, losing_value, kind FROM conflict WHERE id = :i"),
            {"i": conflict_id},
        ).first()
        if row is None:
            raise ValidationErrors([FieldError("conflict", f"no conflict {conflict_id}")])
        entity, row_id, name, raw, kind = row
        repo = db.repos.by_entity[entity]
        spec = ENTITIES[entity]
        if kind == "deleted":
            kept = conn.execute(
                text(
                    "SELECT id, field, losing_value FROM conflict WHERE kind = 'deleted' "
                    "AND resolved = 0 AND entity = :e AND row_id = :r ORDER BY id"
                ),
                {"e": entity, "r": row_id},
            ).all()
            values = {
                f: from_wire(spec.by_name[f], json.loads(v) if v is not None else None)
                for _, f, v in kept
                if f in spec.by_name
            }
            rec = s.get(repo.model, row_id)
            if rec is not None and rec.deleted:
                why = why_not_write(
                    Actor(db.user_id, db.role), entity, "restore", rec.owner_id, exists=True
                )
                if why:
                    raise ValidationErrors(
                        [
                            FieldError(
                                "deleted", f"{why}; ask them to restore it, then restore your edit"
                            )
                        ]
                    )
                repo.restore(row_id)
            if values:
                repo.update(row_id, values)
            done = sorted({conflict_id, *(i for i, _, _ in kept)})
            conn.execute(
                text(
                    "UPDATE conflict SET resolved = 1 "
                    "WHERE id IN (SELECT value FROM json_each(:ids))"
                ),
                {"ids": json.dumps(done)},
            )
            fields = ", ".join(values) or "no fields"
            return f"restored {entity.replace('_', ' ')} with your edit ({fields})"
        value = json.loads(raw) if raw is not None else None
        if name == "deleted":
            (repo.delete if value else repo.restore)(row_id)
        else:
            repo.update(row_id, {name: from_wire(spec.by_name[name], value)})
        conn.execute(text("UPDATE conflict SET resolved = 1 WHERE id = :i"), {"i": conflict_id})
    return f"restored {entity} {name}"


def dismiss_conflict(db: Database, conflict_id: int) -> None:
    with db.transaction() as s:
        s.connection().execute(
            text("UPDATE conflict SET resolved = 1 WHERE id = :i"), {"i": conflict_id}
        )
