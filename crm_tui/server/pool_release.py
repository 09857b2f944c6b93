"""Provides the customer pool's release pass on the server (issue 18): every owned customer
whose pool rules say it is due goes back to the pool — owner cleared, `pool_since` and
`previous_owner_id` set, a `pool_log` entry — on a schedule inside each server process and
on demand (`crm server release-pool`).

The customers that may be due come from the standings every commit keeps
(crud/pool_standings.py) by index; the pure rules decide on those. `standings` reads the
same from every record (the reference the tests compare with).

Idempotent and never twice for one customer, even with several workers (or hosts) running
it at once: each release inserts a `pool_log` row unique per ownership period (customer,
owner, since when) inside the same transaction as the row's change, and re-reads the rows
under the writer lock (SQLite's BEGIN IMMEDIATE; FOR UPDATE on PostgreSQL) first.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select

from crm_tui.domain import rules as crm_rules
from crm_tui.domain.field_values import FieldSpec, from_wire, to_wire
from crm_tui.domain.pool_rules import PoolRules, Standing, is_due
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud import pool_standings
from crm_tui.server.crud.pool_commands import load_rules, write_fields
from crm_tui.server.crud.pool_owning import events_of, log_events, ownership
from crm_tui.server.crud.records import ROW_COLUMNS, ChangeSet, Row, utcnow
from crm_tui.server.models import Record

EVERY_ENV = "CRM_POOL_RELEASE_EVERY"  # seconds between passes; 0 switches the schedule off
DEFAULT_EVERY_S = 3600.0
# Customers released per write transaction: the first batch, then sized from the last one's
# time to keep each near TX_TARGET_S (a list page's budget) while pushes wait for the lock.
FIRST_BATCH, MIN_BATCH, MAX_BATCH = 50, 10, 500
TX_TARGET_S = 0.02
_AT = FieldSpec("at", "datetime")
_OPEN = frozenset(s.value for s in crm_rules.OPEN_STAGES)
_log = logging.getLogger(__name__)


@dataclass
class PassResult:
    released: list[str] = field(default_factory=list)
    checked: int = 0  # standings the pure rules were run on (the index's candidates)
    transactions: int = 0  # write transactions taken
    longest_s: float = 0.0  # the longest of them, lock wait included


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
    # The standings that may be due, by index and without the writer lock (a pass runs in
    # every worker); each is checked again under the lock before it is released.
    with db.read() as session:
        rules: PoolRules = load_rules(session)
        found = pool_standings.candidates(session.connection(), rules, now)
    result.checked = len(found)
    ordered = sorted((cid, period) for cid, (s, period) in found.items() if is_due(rules, s, now))
    # Batches sized to keep each write transaction near TX_TARGET_S: the first pass over an
    # old book may release thousands, and pushes must not wait long for the writer lock.
    size, start = FIRST_BATCH, 0
    while start < len(ordered):
        chunk = ordered[start : start + size]
        started = time.perf_counter()
        with db.write() as session:
            mark = clock.load(session)
            changes = ChangeSet()
            result.released += _release_batch(session, chunk, changes, clock)
            changes.commit(session)
            clock.save(session, mark)
        took = time.perf_counter() - started
        result.transactions += 1
        result.longest_s = max(result.longest_s, took)
        start += len(chunk)
        size = max(MIN_BATCH, min(MAX_BATCH, int(len(chunk) * TX_TARGET_S / max(took, 1e-3))))
    return result


def _release_batch(
    session: Session, chunk: list[tuple[str, str]], changes: ChangeSet, clock: ServerClock
) -> list[str]:
    """Release the customers of `chunk` (id, ownership period) still owned as read: rows
    read locked, one log insert whose unique period guard drops any another worker
    released first, the rows written in bulk by the change set."""
    conn = session.connection()
    table = Record.__table__
    ids = [cid for cid, _ in chunk]
    stmt = (
        select(*(table.c[name] for name in ROW_COLUMNS))
        .where(table.c.id.in_(bindparam("ids", expanding=True)))
        .order_by(table.c.id)
        .with_for_update()
    )
    rows = {v["id"]: Row(**v) for v in conn.execute(stmt, {"ids": ids}).mappings()}
    events = events_of(conn, ids)  # type: ignore[arg-type]
    todo: list[Row] = []
    for cid, period in chunk:
        row = rows.get(cid)
        if row is None or row.deleted or row.owner_id is None:
            continue
        owned = ownership(row, json.loads(row.data), events.get(cid, {}))
        if owned.period == period and not owned.locked:
            todo.append(row)  # else claimed, assigned or locked since the read
    if not todo:
        return []
    at, period_of = utcnow(), dict(chunk)
    entries = [
        (row.id, "release", row.owner_id, period_of[row.id], "no follow-up within the pool rules")
        for row in todo
    ]
    logged = _log_releases(conn, entries, at)  # not those another worker released
    released = []
    for row in todo:
        if row.id not in logged:
            continue
        update = {"pool_since": to_wire(at), "previous_owner_id": row.owner_id}
        write_fields(row, update, clock.tick(json.loads(row.field_hlc).values()), None)  # type: ignore[arg-type]
        row.owner_id = None
        changes.touch(row, fields=dict.fromkeys([*update, "owner_id"], None))
        released.append(row.id)
    return released


def _log_releases(conn: Any, entries: list[tuple[str, ...]], at: datetime) -> set[str]:
    """One INSERT of the batch's release entries; an ownership period already logged (by
    another worker) is skipped by the unique guard. Returns the customers logged here.
    Written as driver SQL: building a many-row VALUES through SQLAlchemy's compiler cost
    more than the whole rest of a release."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    row = f"({', '.join([mark] * 7)})"
    sql = (
        "INSERT INTO pool_log (customer_id, event, owner_id, period, reason, by_id, at) "
        f"VALUES {', '.join([row] * len(entries))} "
        "ON CONFLICT (event, customer_id, period) DO NOTHING RETURNING customer_id"
    )
    params = tuple(v for entry in entries for v in (*entry, None, at))  # `at` as log() binds it
    return {r[0] for r in conn.exec_driver_sql(sql, params)}


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
