"""Provides the laptop side of duplicate claims: the clashes the server flagged (two reps'
customers with one normalised name, phone or e-mail), and the manager's two answers,
`merge_customers` and `reassign`, queued as server-checked commands.

The server flags both rows (`duplicate_of`, kept in the customer's `extra` here); a merge
moves the loser's contacts, follow-ups, deals and claims to the survivor on the server, and
every laptop pulls the result with its next sync.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from crm_tui.domain.permissions import NOT_MANAGER_MERGE, Actor, why_not_merge, why_not_reassign
from crm_tui.storage import outbox

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

NOT_MANAGER = NOT_MANAGER_MERGE  # the rule book's sentence (domain/permissions.py)


@dataclass(frozen=True)
class Clash:
    """Two customers the server flagged as one company (`a` sorts first)."""

    a_id: str
    a_name: str
    a_owner: str
    b_id: str
    b_name: str
    b_owner: str
    matched: tuple[str, ...]  # name / phone / e-mail
    merge_queued: bool

    def as_row(self) -> dict[str, Any]:
        return {
            "customer": self.a_name,
            "owner": self.a_owner,
            "other": self.b_name,
            "other_owner": self.b_owner,
            "matched": ", ".join(self.matched) or "?",
            "id": self.a_id,
            "other_id": self.b_id,
            "state": "merge queued" if self.merge_queued else "open",
        }


def _actor(db: Database) -> Actor:
    return Actor(db.user_id, db.role)


def is_manager(db: Database) -> bool:
    return _actor(db).manager


def duplicate_customers(db: Database) -> list[dict[str, Any]]:
    """Customers the server flagged as another rep's customer too (`duplicate_of` ids)."""
    with db.engine.connect() as conn:
        rows = (
            conn.execute(
                text(
                    "SELECT id, name, owner_id, json_extract(extra, '$.duplicate_of') AS dup "
                    "FROM customer WHERE deleted = 0 AND json_extract(extra, '$.duplicate_of') "
                    "IS NOT NULL ORDER BY sort_key"
                )
            )
            .mappings()
            .all()
        )
    found = [dict(r) | {"duplicate_of": json.loads(r["dup"])} for r in rows]
    return [r for r in found if r["duplicate_of"]]


def _matched(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, ...]:
    from crm_tui.domain.customer_keys import customer_keys

    shared = customer_keys(a) & customer_keys(b)
    labels = {"name": "name", "phone": "phone", "email": "e-mail"}
    return tuple(labels[k] for k in labels if any(s.startswith(f"{k}:") for s in shared))


def clashes(db: Database) -> list[Clash]:
    """Each flagged pair once, with both names and owners and which key matched."""
    flagged = duplicate_customers(db)
    if not flagged:
        return []
    ids = sorted({r["id"] for r in flagged} | {x for r in flagged for x in r["duplicate_of"]})
    with db.engine.connect() as conn:
        rows = {
            r["id"]: dict(r)
            for r in conn.execute(
                text(
                    "SELECT id, name, phone, email, owner_id, deleted FROM customer "
                    "WHERE id IN (SELECT value FROM json_each(:ids))"
                ),
                {"ids": json.dumps(ids)},
            ).mappings()
        }
        users = dict(conn.execute(text('SELECT id, name FROM "user"')).all())
        queued = {
            r[0]
            for r in conn.execute(
                text(
                    "SELECT row_id FROM outbox WHERE kind = 'command' "
                    "AND json_extract(payload, '$.command') = 'merge'"
                )
            )
        }
    me = db.user_id

    def owner(row: dict[str, Any] | None) -> str:
        if row is None:
            return "?"
        who = row["owner_id"]
        return "you" if who and who == me else users.get(who, who or "nobody")

    out: list[Clash] = []
    seen: set[frozenset[str]] = set()
    for r in flagged:
        for other in r["duplicate_of"]:
            pair = frozenset((r["id"], other))
            if pair in seen:
                continue
            seen.add(pair)
            a, b = rows.get(r["id"]), rows.get(other)
            if b is not None and b["deleted"]:
                continue
            out.append(
                Clash(
                    a_id=r["id"],
                    a_name=r["name"],
                    a_owner=owner(a),
                    b_id=other,
                    b_name=b["name"] if b else f"{other[:8]} (not on this laptop)",
                    b_owner=owner(b),
                    matched=_matched(a or {}, b or {}),
                    merge_queued=bool(pair & queued),
                )
            )
    return out


def _refuse(field: str, message: str) -> None:
    from crm_tui.domain.fields import FieldError, ValidationErrors

    raise ValidationErrors([FieldError(field, message)])


def merge_customers(db: Database, loser_id: str, survivor_id: str) -> str:
    """Queue the server command that merges customer `loser_id` into `survivor_id` (its
    contacts, follow-ups, deals and claims move; empty fields are filled; the loser goes).
    Managers only; returns a sentence for the status line or CLI."""
    if why := why_not_merge(_actor(db)):
        _refuse("customer", why)
    if loser_id == survivor_id:
        _refuse("customer", "a customer cannot be merged into itself")
    repo = db.repos.customers
    loser, survivor = repo.get(loser_id), repo.get(survivor_id)
    if loser is None:
        _refuse("customer", f"no customer with id {loser_id}")
    if survivor is None:
        _refuse("into", f"no customer with id {survivor_id}")
    assert loser is not None and survivor is not None
    if not (loser.server_version and survivor.server_version):
        _refuse("customer", "sync first: both customers must be on the server to merge them")
    with db.transaction() as s:
        outbox.append(
            s,
            entity="customer",
            row_id=loser_id,
            kind="command",
            payload={"command": "merge", "into": survivor_id},
            base_version=loser.server_version or 0,
            hlc=db.tick(s),
        )
    return (
        f"Merge queued: '{loser.name}' goes into '{survivor.name}' (kept) "
        "with the next sync; its contacts, follow-ups, deals and claims move with it."
    )


def reassign(db: Database, entity: str, row_id: str, owner_id: str) -> None:
    """A manager hands a record to another member (a server-checked command): the old
    owner's laptops lose it, the new owner's gain it."""
    if why := why_not_reassign(_actor(db)):
        _refuse("owner_id", why)
    repo = db.repos.by_entity[entity]
    with db.transaction() as s:
        rec = s.get(repo.model, row_id)
        if rec is None or rec.deleted:
            _refuse("id", f"no {entity} with id {row_id}")
        stamp = db.tick(s)
        rec.owner_id = owner_id
        s.add(rec)
        s.flush()
        outbox.append(
            s,
            entity=entity,
            row_id=row_id,
            kind="command",
            payload={"command": "reassign", "owner_id": owner_id},
            base_version=rec.server_version,
            hlc=stamp,
        )
