"""Provides the customer pool's release pass on the server (issue 18): every owned customer
whose pool rules say it is due goes back to the pool — owner cleared, `pool_since` and
`previous_owner_id` set, a `pool_log` entry — on a schedule inside each server process and
on demand (`crm server release-pool`).

Idempotent and never twice for one customer, even with several workers (or hosts) running
it at once: each release inserts a `pool_log` row unique per ownership period (customer,
owner, since when) inside the same transaction as the row's change, and re-reads the row
under the writer lock (SQLite's BEGIN IMMEDIATE; FOR UPDATE on PostgreSQL) first.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from crm_tui.domain import rules as crm_rules
from crm_tui.domain.field_values import FieldSpec, from_wire, to_wire
from crm_tui.domain.pool_rules import PoolRules, Standing, is_due
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud.pool_commands import (
    load_rules,
    log,
    log_events,
    ownership,
    write_fields,
)
from crm_tui.server.crud.records import ChangeSet, utcnow
from crm_tui.server.models import Record

EVERY_ENV = "CRM_POOL_RELEASE_EVERY"  # seconds between passes; 0 switches the schedule off
DEFAULT_EVERY_S = 3600.0
BATCH = 200  # customers released per write transaction
_AT = FieldSpec("at", "datetime")
_OPEN = frozenset(s.value for s in crm_rules.OPEN_STAGES)
_log = logging.getLogger(__name__)


@dataclass
class PassResult:
    released: list[str] = field(default_factory=list)
    checked: int = 0


def _json(session: Session, key: str) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return f"(data::jsonb ->> '{key}')"
    return f"json_extract(data, '$.{key}')"


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)  # stored as UTC
    if isinstance(value, str) and " " in value and "T" not in value:
        value = value.replace(" ", "T")  # a SQLite DATETIME column read as text
    return from_wire(_AT, value)


def standings(session: Session) -> dict[str, tuple[Standing, str]]:
    """Every owned, live customer's standing and its ownership period, from the records."""
    cust = _json(session, "customer_id")
    done: dict[str, datetime] = {}
    for cid, last in session.execute(
        text(
            f"SELECT {cust}, max({_json(session, 'done_at')}) FROM record "
            f"WHERE entity = 'activity' AND deleted = :f AND {_json(session, 'done_at')} "
            f"IS NOT NULL GROUP BY {cust}"
        ),
        {"f": False},
    ):
        if cid and last:
            done[cid] = _when(last)  # type: ignore[assignment]
    deals: dict[str, dict[str, Any]] = {}
    for cid, stage, updated in session.execute(
        text(
            f"SELECT {cust}, {_json(session, 'stage')}, updated_at FROM record "
            "WHERE entity = 'opportunity' AND deleted = :f"
        ),
        {"f": False},
    ):
        if not cid:
            continue
        seen = deals.setdefault(cid, {"won": False, "open": False, "last": None})
        if stage == crm_rules.Stage.WON.value:
            seen["won"] = True
        elif stage in _OPEN:
            seen["open"] = True
            at = _when(updated)
            seen["last"] = max(filter(None, (seen["last"], at)), default=None)
    events = log_events(session)
    out: dict[str, tuple[Standing, str]] = {}
    rows = session.execute(
        select(Record).where(
            col(Record.entity) == "customer",
            col(Record.owner_id).is_not(None),
            col(Record.deleted) == False,  # noqa: E712
        )
    ).scalars()
    for rec in rows:
        values = json.loads(rec.data)
        deal = deals.get(rec.id, {})
        owned = ownership(rec, values, events.get(rec.id, {}))
        out[rec.id] = (
            Standing(
                grade=values.get("grade"),
                owned_since=owned.since,
                last_done=done.get(rec.id),
                last_open_deal=deal.get("last"),
                has_open_deal=bool(deal.get("open")),
                has_won_deal=bool(deal.get("won")),
                locked=owned.locked,
            ),
            owned.period,
        )
    return out


def release_pass(db: ServerDB, clock: ServerClock, now: datetime | None = None) -> PassResult:
    """One pass: release every due customer once; returns the ids released by this call."""
    now = now or utcnow()
    result = PassResult()
    # Read without the writer lock (an hourly scan must not hold up pushes); each due row is
    # checked again under the lock before it is released.
    with db.read() as session:
        rules: PoolRules = load_rules(session)
        found = standings(session)
    result.checked = len(found)
    due = {cid: period for cid, (s, period) in found.items() if is_due(rules, s, now)}
    if not due:
        return result
    ordered = sorted(due.items())
    # A batch per write transaction: the first pass over an old book may release thousands,
    # and pushes must not wait behind one long transaction for the writer lock.
    for start in range(0, len(ordered), BATCH):
        with db.write() as session:
            mark = clock.load(session)
            changes = ChangeSet()
            for cid, period in ordered[start : start + BATCH]:
                if _release(session, cid, period, changes, clock):
                    result.released.append(cid)
            changes.commit(session)
            clock.save(session, mark)
    return result


def _release(
    session: Session, cid: str, period: str, changes: ChangeSet, clock: ServerClock
) -> bool:
    rec = session.exec(
        select(Record)
        .where(col(Record.id) == cid)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if rec is None or rec.deleted or rec.owner_id is None:
        return False
    owned = ownership(rec, json.loads(rec.data), log_events(session, cid).get(cid, {}))
    if owned.period != period or owned.locked:
        return False  # claimed, assigned or locked since the standings were read
    try:
        with session.begin_nested():
            log(
                session,
                customer_id=cid,
                event="release",
                owner_id=rec.owner_id,
                by_id=None,
                period=period,
                reason="no follow-up within the pool rules",
            )
    except IntegrityError:
        return False  # another worker released this ownership period already
    update = {"pool_since": to_wire(utcnow()), "previous_owner_id": rec.owner_id}
    write_fields(rec, update, clock.tick(json.loads(rec.field_hlc).values()), None)
    rec.owner_id = None
    session.add(rec)
    changes.touch(rec, fields=dict.fromkeys([*update, "owner_id"], None))
    return True


class ReleaseSchedule(threading.Thread):
    """Runs the pass every `every` seconds in this server process (each worker runs one;
    the pool_log guard makes concurrent passes release a customer once)."""

    def __init__(self, db: ServerDB, clock: ServerClock, every: float) -> None:
        super().__init__(name="pool-release", daemon=True)
        self.db, self.clock, self.every = db, clock, every
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                done = release_pass(self.db, self.clock)
                if done.released:
                    _log.warning("pool: released %d customer(s)", len(done.released))
            except Exception:  # a busy database or a lost connection: the next tick retries
                _log.exception("pool release pass failed")

    def stop(self) -> None:
        self._stop.set()


def start_schedule(db: ServerDB, clock: ServerClock) -> ReleaseSchedule | None:
    """Start the scheduled pass unless CRM_POOL_RELEASE_EVERY is 0 (the server's start-up)."""
    every = float(os.environ.get(EVERY_ENV) or DEFAULT_EVERY_S)
    if every <= 0:
        return None
    schedule = ReleaseSchedule(db, clock, every)
    schedule.start()
    return schedule
