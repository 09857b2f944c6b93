"""Provides the server's side of the customer pool (issue 18): `claim`, `release`, `assign`
and `lock` on a customer, checked against the stored row and ordered by the server's clock.

The first claim to reach the server wins; a later one is refused with who owns it and
since when. The per-rep cap and the reclaim wait are checked here from the server's own
data (the owned count, the `pool_log` of releases), so a forged request cannot pass them.
Wired from commands.run_command.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

from crm_tui.domain import field_clocks
from crm_tui.domain.fields import to_wire
from crm_tui.domain.permissions import why_not_pool_step
from crm_tui.domain.pool_rules import PoolRules, why_not_claim
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.merge import MergeOutcome
from crm_tui.server.crud.pool_owning import at_utc, log_events, ownership
from crm_tui.server.crud.records import ChangeSet, actor_of, utcnow
from crm_tui.server.models import Account, Record
from crm_tui.sync.protocol import Mutation

POOL_COMMANDS = frozenset({"claim", "release", "assign", "lock"})
_LOG = text(
    "INSERT INTO pool_log(customer_id, event, owner_id, by_id, period, reason, at) "
    "VALUES (:c, :e, :o, :b, :p, :r, :at)"
)


def load_rules(session: Session) -> PoolRules:
    """The team's pool rules as stored (live `pool_rule` rows), defaults where unset."""
    rows = session.execute(
        select(Record.data)
        .where(Record.entity == "pool_rule", Record.deleted == False)  # noqa: E712
        .order_by(Record.id)  # two rows for one grade (made offline): the newest id wins
    ).scalars()
    return PoolRules.from_rows(json.loads(data) for data in rows)


def owned_count(session: Session, user_id: str) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(Record)
            .where(
                Record.entity == "customer",
                Record.owner_id == user_id,
                Record.deleted == False,  # noqa: E712
            )
        ).scalar_one()
    )


def last_release(session: Session, customer_id: str) -> tuple[str | None, datetime | None]:
    """(previous owner, when) of the customer's newest release, from the server's log."""
    row = session.execute(
        text(
            "SELECT owner_id, at FROM pool_log WHERE customer_id = :c AND event = 'release' "
            "ORDER BY at DESC, id DESC LIMIT 1"
        ),
        {"c": customer_id},
    ).first()
    if row is None:
        return None, None
    return row[0], at_utc(row[1])


def log(
    session: Session,
    *,
    customer_id: str,
    event: str,
    owner_id: str | None,
    by_id: str | None,
    period: str,
    reason: str | None = None,
) -> None:
    session.execute(
        _LOG,
        {
            "c": customer_id,
            "e": event,
            "o": owner_id,
            "b": by_id,
            "p": period,
            "r": (reason or "")[:500] or None,
            "at": utcnow(),
        },
    )


def write_fields(rec: Record, update: dict[str, Any], stamp: str, by: str | None) -> None:
    """Server-ordered fields on a customer: values and clocks (as a command's decision)."""
    values = json.loads(rec.data)
    clocks = json.loads(rec.field_hlc)
    values.update(update)
    rec.data = json.dumps(values, ensure_ascii=False)
    rec.field_hlc = json.dumps(field_clocks.stamp(clocks, update, stamp))
    rec.updated_at = utcnow()
    rec.updated_by = by


def run_pool_command(
    session: Session,
    account: Account,
    m: Mutation,
    rec: Record,
    changes: ChangeSet,
    clock: ServerClock,
) -> MergeOutcome:
    command = str(m.payload.get("command", ""))
    if rec.deleted:
        raise Refused("this customer was deleted")
    values = json.loads(rec.data)
    actor = actor_of(account)
    owned = ownership(rec, values, log_events(session, rec.id).get(rec.id, {}))
    reason = why_not_pool_step(actor, command, rec.owner_id, locked=owned.locked)
    if reason:
        if command == "claim" and rec.owner_id and rec.owner_id != account.id:
            reason = _claimed_first(session, rec, values)
        raise Refused(reason)
    now = utcnow()
    owner: str | None = rec.owner_id
    update: dict[str, Any]
    if command == "claim":
        rules = load_rules(session)
        previous, released = last_release(session, rec.id)
        why = why_not_claim(
            rules,
            actor_id=account.id,
            owned=owned_count(session, account.id),
            grade=values.get("grade"),
            previous_owner_id=previous,
            released_at=released,
            now=now,
        )
        if why:
            raise Refused(why)
        owner = account.id
        update = {"pool_since": None, "claimed_at": to_wire(now)}
    elif command == "release":
        text_reason = str(m.payload.get("reason") or "").strip()
        if not text_reason:
            raise Refused("say why the customer goes back to the pool (--reason)")
        log(
            session,
            customer_id=rec.id,
            event="release",
            owner_id=rec.owner_id,
            by_id=account.id,
            period=owned.period,
            reason=text_reason,
        )
        update = {"pool_since": to_wire(now), "previous_owner_id": rec.owner_id}
        owner = None
    elif command == "assign":
        target = str(m.payload.get("owner_id") or "")
        member = session.get(Account, target)
        if member is None or member.revoked:
            raise Refused(f"no team member {target[:64]}")
        owner = target
        update = {"pool_since": None, "claimed_at": to_wire(now)}
    else:  # lock / unlock, logged: the release pass reads the log, not the field
        update = {"locked": bool(m.payload.get("locked", True))}
        log(
            session,
            customer_id=rec.id,
            event="lock" if update["locked"] else "unlock",
            owner_id=rec.owner_id,
            by_id=account.id,
            period=to_wire(now),
        )
    if command in ("claim", "assign"):
        log(
            session,
            customer_id=rec.id,
            event=command,
            owner_id=owner,
            by_id=account.id,
            period=f"{owner}@{update['claimed_at']}",
        )
    write_fields(rec, update, clock.tick(json.loads(rec.field_hlc).values()), account.id)
    fields = dict.fromkeys(update, account.id)
    if owner != rec.owner_id:
        rec.owner_id = owner
        fields["owner_id"] = account.id
    session.add(rec)
    changes.touch(rec, fields=fields)
    return MergeOutcome(changed={k: v for k, v in update.items()} | {"owner_id": owner})


def _claimed_first(session: Session, rec: Record, values: dict[str, Any]) -> str:
    """Why a claim lost: whose the customer is and since when (the rep's notes are kept)."""
    member = session.get(Account, rec.owner_id or "")
    who = member.name if member else "another rep"
    since = str(values.get("claimed_at") or "")[:16].replace("T", " ")
    when = f" at {since} UTC" if since else ""
    return f"{who} claimed this customer first{when}; your notes on it are kept"
