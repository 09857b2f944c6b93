"""Provides the sync outbox: changes waiting to be pushed, written in the same transaction
as the change itself, and the undo log written next to them.

Also defines, once, the `sync_state` keys the laptop keeps (cursor, clock, identity). The
functions take a session (writes join the caller's transaction) or an engine (reads), so
this module imports nothing else from storage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from crm_tui.domain.fields import dumps
from crm_tui.storage.ids import new_id

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

# --- sync_state keys (the only place they are spelled) -----------------------------------
CURSOR_KEY = "cursor"  # the change-log seq this laptop has pulled up to
LAST_HLC_KEY = "last_hlc"  # the newest hybrid clock value issued or seen here
DEVICE_ID_KEY = "device_id"  # this file's clock node id (made on first open)
SERVER_DEVICE_ID_KEY = "server_device_id"  # the device row the server knows us as
SERVER_URL_KEY = "server_url"
USER_ID_KEY = "user_id"
USER_NAME_KEY = "user_name"
ROLE_KEY = "role"
CURRENCY_KEY = "currency"
ONLINE_KEY = "online"
LAST_SYNC_AT_KEY = "last_sync_at"
LAST_SYNC_ERROR_KEY = "last_sync_error"
DEFERRED_INDEXES_KEY = "pull.deferred_indexes"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One pending change as stored (the fields of the wire's `Mutation`)."""

    client_seq: int
    mutation_id: str
    entity: str
    row_id: str
    kind: str
    payload: dict[str, Any]
    base_version: int
    hlc: str


# --- writes (inside the caller's transaction) ---------------------------------------------
def append(
    session: Session,
    *,
    entity: str,
    row_id: str,
    kind: str,
    payload: dict[str, Any],
    base_version: int,
    hlc: str,
) -> None:
    session.connection().execute(
        text(
            "INSERT INTO outbox(mutation_id, entity, row_id, kind, payload, base_version, hlc)"
            " VALUES (:m, :e, :r, :k, :p, :b, :h)"
        ),
        {
            "m": new_id(),
            "e": entity,
            "r": row_id,
            "k": kind,
            "p": dumps(payload),
            "b": base_version,
            "h": hlc,
        },
    )


def record_undo(
    session: Session, *, entity: str, row_id: str, kind: str, before: dict[str, Any], at: str
) -> None:
    session.connection().execute(
        text("INSERT INTO undo_log(entity, row_id, kind, before, at) VALUES (:e, :r, :k, :b, :a)"),
        {"e": entity, "r": row_id, "k": kind, "b": dumps(before), "a": at},
    )


def note_failure(session: Session, seqs: list[int], error: str) -> None:
    session.connection().execute(
        text(
            "UPDATE outbox SET attempts = attempts + 1, last_error = :e "
            "WHERE client_seq IN (SELECT value FROM json_each(:seqs))"
        ),
        {"e": error[:500], "seqs": json.dumps(seqs)},
    )


def drop(session: Session, seqs: list[int]) -> None:
    """Remove answered changes (one statement)."""
    session.connection().execute(
        text("DELETE FROM outbox WHERE client_seq IN (SELECT value FROM json_each(:seqs))"),
        {"seqs": json.dumps(seqs)},
    )


def renumber(session: Session) -> int:
    """Number the pending changes 1..n in their order (a laptop re-registered as a new
    device starts its sequence again); returns n. The AUTOINCREMENT mark is set to n so
    the next change is n + 1."""
    conn = session.connection()
    seqs = [r[0] for r in conn.execute(text("SELECT client_seq FROM outbox ORDER BY client_seq"))]
    # Two steps (to negatives, then to 1..n) so no new number collides with an old one.
    conn.execute(text("UPDATE outbox SET client_seq = -client_seq"))
    for new, old in enumerate(seqs, 1):
        conn.execute(
            text("UPDATE outbox SET client_seq = :n WHERE client_seq = :o"), {"n": new, "o": -old}
        )
    conn.execute(text("DELETE FROM sqlite_sequence WHERE name = 'outbox'"))
    conn.execute(
        text("INSERT INTO sqlite_sequence(name, seq) VALUES ('outbox', :n)"), {"n": len(seqs)}
    )
    return len(seqs)


# --- reads ---------------------------------------------------------------------------------
def pending_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM outbox")).scalar_one())


def rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT * FROM outbox ORDER BY client_seq")).mappings()
        return [dict(r) | {"payload": json.loads(r["payload"])} for r in found]


def batch(engine: Engine, limit: int) -> list[OutboxRow]:
    """The oldest `limit` pending changes."""
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT client_seq, mutation_id, entity, row_id, kind, payload, base_version, hlc "
            "FROM outbox ORDER BY client_seq LIMIT ?",
            (limit,),
        ).all()
    return [
        OutboxRow(seq, mutation_id, entity, row_id, kind, json.loads(payload), base or 0, hlc)
        for seq, mutation_id, entity, row_id, kind, payload, base, hlc in found
    ]


def spent_client_seq(engine: Engine) -> int:
    """The outbox seq before the oldest pending change (a new device's starting mark)."""
    with engine.connect() as conn:
        oldest = conn.execute(text("SELECT min(client_seq) FROM outbox")).scalar()
        if oldest is not None:
            return int(oldest) - 1
        last = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")).scalar()
    return int(last or 0)


def pending_for(session: Session, row_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Pending changes of these rows, oldest first: {row_id: [{kind, payload, hlc}]}."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not row_ids:
        return found
    result = (
        session.connection()
        .execute(
            text(
                "SELECT row_id, kind, payload, hlc FROM outbox "
                "WHERE row_id IN (SELECT value FROM json_each(:ids)) ORDER BY client_seq"
            ),
            {"ids": json.dumps(row_ids)},
        )
        .mappings()
    )
    for r in result:
        found.setdefault(r["row_id"], []).append(
            {"kind": r["kind"], "payload": json.loads(r["payload"]), "hlc": r["hlc"]}
        )
    return found
