"""Provides the customer pool's standings on the server (issue 18): one row per owned, live
customer with what the release rules read — grade, since when owned (from the pool log),
its newest done follow-up and open deal, whether it has a won or open deal, locked — kept
in the same transaction as every write of a customer, follow-up or deal (`on_commit`,
called by ChangeSet.commit after the change counter, so on PostgreSQL the refreshes run one
at a time and each reads every earlier commit). The release pass then reads the few rows
that may be due by index (`candidates`) instead of parsing every record's JSON.

`pool_fact` holds what each follow-up or deal gives its customer (a done time, an open or
won deal), so one moved to another customer or deleted is taken back from the old one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Index,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlmodel import Session

from crm_tui.domain import rules as crm_rules
from crm_tui.domain.pool_rules import PoolRules, Standing
from crm_tui.server.crud.pool_owning import CHUNK, at_utc, events_of, ownership
from crm_tui.server.models import Record, ServerModel

FACT = Table(
    "pool_fact",
    ServerModel.metadata,
    Column("row_id", String, primary_key=True),  # the follow-up or deal
    Column("customer_id", String, nullable=False),
    Column("kind", String, nullable=False),  # done | open | won
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_pool_fact_customer", "customer_id", "kind", "at"),
)
STANDING = Table(
    "pool_standing",
    ServerModel.metadata,
    Column("customer_id", String, primary_key=True),
    Column("owner_id", String, nullable=False),
    Column("grade", String, nullable=True),
    Column("owned_since", DateTime(timezone=True), nullable=False),
    Column("period", String, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("last_done", DateTime(timezone=True), nullable=True),
    Column("last_open_deal", DateTime(timezone=True), nullable=True),
    Column("has_open", Boolean, nullable=False),
    Column("has_won", Boolean, nullable=False),
    # The two release clocks' start: max(owned_since, last_done / last_open_deal).
    Column("followup_since", DateTime(timezone=True), nullable=False),
    Column("deal_since", DateTime(timezone=True), nullable=False),
    Index("ix_pool_standing_followup", "locked", "has_won", "has_open", "followup_since"),
    Index("ix_pool_standing_deal", "locked", "has_won", "has_open", "deal_since"),
)
_OPEN = frozenset(s.value for s in crm_rules.OPEN_STAGES)
_WON = crm_rules.Stage.WON.value
_FACT_OF = ("activity", "opportunity")
_IDS = bindparam("ids", expanding=True)


def fact(rec: Any) -> tuple[str, str, datetime] | None:
    """(customer, kind, when) a follow-up or deal gives the pool rules, or None."""
    if rec.deleted:
        return None
    values = json.loads(rec.data)
    return _fact(
        rec.entity,
        values.get("customer_id"),
        values.get("done_at"),
        values.get("stage"),
        rec.updated_at,
    )


def _fact(
    entity: str, cid: Any, done_at: Any, stage: Any, updated_at: Any
) -> tuple[str, str, datetime] | None:
    if not cid:
        return None
    if entity == "activity":
        done = at_utc(done_at) if done_at else None
        return (cid, "done", done) if done is not None else None
    if stage == _WON:
        return cid, "won", at_utc(updated_at)  # type: ignore[return-value]
    if stage in _OPEN:
        return cid, "open", at_utc(updated_at)  # type: ignore[return-value]
    return None


def on_commit(session: Session, recs: Iterable[Any]) -> None:
    """Bring the facts and standings of the customers these written records touch up to
    date (records: ORM `Record`s or batch `Row`s, already written)."""
    facts: dict[str, Any] = {}
    customers: dict[str, Any] = {}
    for rec in recs:
        if rec.entity == "customer":
            customers[rec.id] = rec
        elif rec.entity in _FACT_OF:
            facts[rec.id] = rec
    if not facts and not customers:
        return
    conn = session.connection()
    touched = set(customers)
    if facts:
        touched |= _replace_facts(conn, facts)
    refresh(conn, touched, customers)


def _replace_facts(conn: Connection, recs: dict[str, Any]) -> set[str]:
    """Store the records' facts where they changed; returns the customers they gave or
    took one from (an edit that leaves a follow-up's done time alone touches none)."""
    ids = sorted(recs)
    old: dict[str, tuple[str, str, datetime | None]] = {}
    for start in range(0, len(ids), CHUNK):
        stmt = select(FACT).where(FACT.c.row_id.in_(_IDS))
        for row_id, cid, kind, at in conn.execute(stmt, {"ids": ids[start : start + CHUNK]}):
            old[row_id] = (cid, kind, at_utc(at))
    touched: set[str] = set()
    gone: list[str] = []
    rows = []
    for row_id in ids:
        found = fact(recs[row_id])
        was = old.get(row_id)
        if found == was:
            continue
        if was is not None:
            gone.append(row_id)
            touched.add(was[0])
        if found is not None:
            cid, kind, at = found
            rows.append({"row_id": row_id, "customer_id": cid, "kind": kind, "at": at})
            touched.add(cid)
    for start in range(0, len(gone), CHUNK):
        stmt = delete(FACT).where(FACT.c.row_id.in_(_IDS))
        conn.execute(stmt, {"ids": gone[start : start + CHUNK]})
    insert_many(conn, FACT, rows)
    return touched


def refresh(conn: Connection, ids: Iterable[str], known: dict[str, Any] | None = None) -> None:
    """Recompute the standings of these customers (`known`: ones at hand, by id)."""
    ids = sorted(set(ids))
    known = known or {}
    table = Record.__table__
    cols = (table.c.id, table.c.owner_id, table.c.deleted, table.c.data, table.c.created_at)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        recs = {i: known[i] for i in chunk if i in known}
        missing = [i for i in chunk if i not in recs]
        if missing:
            stmt = select(*cols).where(table.c.id.in_(_IDS), table.c.entity == "customer")
            recs.update((r.id, r) for r in conn.execute(stmt, {"ids": missing}))
        owned = {i: r for i, r in recs.items() if not r.deleted and r.owner_id is not None}
        conn.execute(delete(STANDING).where(STANDING.c.customer_id.in_(_IDS)), {"ids": chunk})
        if owned:
            events = events_of(conn, owned)  # type: ignore[arg-type]
            sums = _sums(conn, list(owned))
            rows = [_standing(r, events.get(i, {}), sums.get(i, {})) for i, r in owned.items()]
            insert_many(conn, STANDING, rows)


def _sums(conn: Connection, ids: list[str]) -> dict[str, dict[str, datetime]]:
    """customer -> {kind: newest time} of its facts (stored times sort as they compare)."""
    stmt = (
        select(FACT.c.customer_id, FACT.c.kind, func.max(FACT.c.at))
        .where(FACT.c.customer_id.in_(_IDS))
        .group_by(FACT.c.customer_id, FACT.c.kind)
    )
    out: dict[str, dict[str, datetime]] = {}
    for cid, kind, at in conn.execute(stmt, {"ids": ids}):
        moment = at_utc(at)
        if moment is not None:
            out.setdefault(cid, {})[kind] = moment
    return out


def _standing(rec: Any, events: dict[str, datetime], sums: dict[str, datetime]) -> dict:
    values = json.loads(rec.data)
    owned = ownership(rec, values, events)
    done, deal = sums.get("done"), sums.get("open")
    return {
        "customer_id": rec.id,
        "owner_id": rec.owner_id,
        "grade": values.get("grade"),
        "owned_since": owned.since,
        "period": owned.period,
        "locked": owned.locked,
        "last_done": done,
        "last_open_deal": deal,
        "has_open": deal is not None,
        "has_won": "won" in sums,
        "followup_since": max(owned.since, done) if done else owned.since,
        "deal_since": max(owned.since, deal) if deal else owned.since,
    }


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` in bulk; on SQLite a driver-level executemany with the columns' own
    bind processing (SQLAlchemy's per-row parameter building cost more than the insert)."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    dialect = conn.dialect
    procs = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    params = [
        tuple(
            v if p is None or v is None else p(v) for v, p in zip(row.values(), procs, strict=True)
        )
        for row in rows
    ]
    marks = ", ".join("?" * len(names))
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", params)


def rebuild(conn: Connection) -> int:
    """Every fact and standing from the records (a new server table, or records written
    around the change set: the bench's copy); returns the standings kept. Reads the
    records once, with only the three fields the rules use."""
    conn.execute(delete(FACT))
    conn.execute(delete(STANDING))
    pg = conn.dialect.name == "postgresql"

    def field(key: str) -> str:
        return f"(data::jsonb ->> '{key}')" if pg else f"json_extract(data, '$.{key}')"

    # One pass by the entity index, streamed (a server-side cursor on PostgreSQL): paging
    # by id made SQLite walk the index and sort again for every page.
    every = text(
        f"SELECT id, entity, {field('customer_id')}, {field('done_at')}, {field('stage')}, "
        "updated_at FROM record WHERE entity IN ('activity', 'opportunity') AND deleted = :f"
    ).columns(updated_at=DateTime(timezone=True))
    result = conn.execute(
        every.execution_options(stream_results=True, yield_per=20_000), {"f": False}
    )
    for rows in result.partitions():
        found = [(r[0], _fact(*r[1:])) for r in rows]
        insert_many(
            conn,
            FACT,
            [
                {"row_id": i, "customer_id": f[0], "kind": f[1], "at": f[2]}
                for i, f in found
                if f is not None
            ],
        )
    table = Record.__table__
    owned = select(table.c.id).where(
        table.c.entity == "customer",
        table.c.deleted == False,  # noqa: E712
        table.c.owner_id.is_not(None),
    )
    ids = list(conn.execute(owned).scalars())
    refresh(conn, ids)
    return len(ids)


def candidates(
    conn: Connection, rules: PoolRules, now: datetime
) -> dict[str, tuple[Standing, str]]:
    """The standings (and ownership periods) that may be due at `now` under `rules`: per
    deal situation (won / open) the rules that do not exempt it, each clock read as one
    index range up to its loosest cutoff. The pure rules then decide on these few."""
    every = [rules.for_grade(None), *rules.by_grade.values()]
    s = STANDING.c
    out: dict[str, tuple[Standing, str]] = {}
    for won in (False, True):
        for dealing in (False, True):
            live = [
                r for r in every if not ((r.exempt_won and won) or (r.exempt_open_deal and dealing))
            ]
            for clock, days in (
                (s.followup_since, [r.followup_days for r in live if r.followup_days]),
                (s.deal_since, [r.deal_days for r in live if r.deal_days]),
            ):
                if not days:
                    continue
                stmt = select(STANDING).where(
                    s.locked == False,  # noqa: E712
                    s.has_won == won,
                    s.has_open == dealing,
                    clock <= now - timedelta(days=min(days)),
                )
                for row in conn.execute(stmt):
                    out[row.customer_id] = (as_standing(row), row.period)
    return out


def as_standing(row: Any) -> Standing:
    return Standing(
        grade=row.grade,
        owned_since=at_utc(row.owned_since),  # type: ignore[arg-type]
        last_done=at_utc(row.last_done),
        last_open_deal=at_utc(row.last_open_deal),
        has_open_deal=bool(row.has_open),
        has_won_deal=bool(row.has_won),
        locked=bool(row.locked),
    )
