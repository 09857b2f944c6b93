"""The server's pool standings (kept by every commit) and the indexed release pass agree
with the rules run on every record: on a generated book of customers, follow-ups and deals
— written, edited, moved, deleted, claimed and locked through the change set — the
standings equal the full read, the index's candidates give the same due customers for
several rule books and moments, and a pass releases exactly those, once."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from crm_tui.domain.pool_rules import PoolRules, is_due
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud import pool_standings
from crm_tui.server.crud.records import ChangeSet
from crm_tui.server.models import Record
from crm_tui.server.pool_release import release_pass, standings
from tests.sync.pg import pg_cluster  # noqa: F401 - pytest fixture

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
REPS = ("u-a", "u-b", "u-c")
STAGES = ("lead", "proposal", "won", "lost", None)
RULE_BOOKS = [
    [],
    [{"grade": "*", "followup_days": 20, "warn_days": 5}, {"grade": "A", "followup_days": 45}],
    [
        {"grade": "*", "followup_days": 30, "deal_days": 15, "exempt_open_deal": False},
        {"grade": "B", "followup_days": 0, "deal_days": 40, "exempt_won": False},
    ],
    [{"grade": "*", "followup_days": 0, "deal_days": 0}],
]


def _days(rng: random.Random, most: int = 120) -> datetime:
    return NOW - timedelta(days=rng.uniform(0, most))


class Book:
    """Writes records the way the server does: each batch in one change set."""

    def __init__(self, db: ServerDB) -> None:
        self.db = db

    def write(self, rows: list[dict[str, Any]], log: list[tuple] = ()) -> None:
        with self.db.write() as session:
            changes = ChangeSet()
            for cid, event, at in log:
                session.execute(
                    text(
                        "INSERT INTO pool_log(customer_id, event, owner_id, by_id, period, at) "
                        "VALUES (:c, :e, 'u-a', 'u-boss', :p, :at)"
                    ),
                    {"c": cid, "e": event, "p": f"{event}@{at.isoformat()}", "at": at},
                )
            for values in rows:
                rec = session.get(Record, values["id"])
                if rec is None:
                    rec = Record(
                        id=values["id"],
                        entity=values["entity"],
                        partition="team",
                        created_at=values.get("created_at", NOW),
                        updated_at=values.get("updated_at", NOW),
                    )
                for name in ("owner_id", "deleted", "updated_at"):
                    if name in values:
                        setattr(rec, name, values[name])
                if "data" in values:
                    rec.data = json.dumps(values["data"], ensure_ascii=False)
                session.add(rec)
                changes.touch(rec)
            session.flush()
            changes.commit(session)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[ServerDB]:
    server = ServerDB(f"sqlite:///{tmp_path / 'server.db'}")
    server.init()
    yield server
    server.close()


@pytest.fixture
def pg_db(pg_cluster) -> Iterator[ServerDB]:  # noqa: F811
    server = ServerDB(pg_cluster.create_database(f"crm_pool_{uuid.uuid4().hex[:8]}"))
    server.init()
    yield server
    server.close()


def _generate(book: Book, rng: random.Random) -> list[str]:
    customers = [f"c{i:03d}" for i in range(160)]
    book.write(
        [
            {
                "id": cid,
                "entity": "customer",
                "owner_id": rng.choice((*REPS, None)),
                "created_at": _days(rng, 200),
                "data": {
                    "name": f"客户 {cid}",
                    "grade": rng.choice(("A", "B", "C", None)),
                    **({"claimed_at": _days(rng, 300).isoformat()} if rng.random() < 0.2 else {}),
                },
            }
            for cid in customers
        ]
    )
    rows = []
    for i in range(500):
        done = _days(rng) if rng.random() < 0.8 else None
        data = {"customer_id": rng.choice(customers), "subject": "回访"}
        if done is not None:
            data["done_at"] = done.isoformat().replace("+00:00", "Z")
        rows.append({"id": f"a{i:03d}", "entity": "activity", "data": data})
    for i in range(120):
        rows.append(
            {
                "id": f"o{i:03d}",
                "entity": "opportunity",
                "updated_at": _days(rng, 90),
                "data": {"customer_id": rng.choice(customers), "stage": rng.choice(STAGES)},
            }
        )
    for start in range(0, len(rows), 97):  # several commits, as pushes arrive
        book.write(rows[start : start + 97])
    # Later edits: follow-ups moved to another customer or deleted, deals change stage,
    # customers change hands or are deleted, claims and locks in the server's log.
    edits = []
    for i in rng.sample(range(500), 60):
        if rng.random() < 0.5:
            edits.append({"id": f"a{i:03d}", "entity": "activity", "deleted": True})
        else:
            moved = {"customer_id": rng.choice(customers), "done_at": "2026-11-30T08:00:00Z"}
            edits.append({"id": f"a{i:03d}", "entity": "activity", "data": moved})
    for i in rng.sample(range(120), 30):
        stage = {"customer_id": rng.choice(customers), "stage": rng.choice(STAGES)}
        edits.append({"id": f"o{i:03d}", "entity": "opportunity", "data": stage})
    for cid in rng.sample(customers, 20):
        edits.append({"id": cid, "entity": "customer", "owner_id": rng.choice(REPS)})
    for cid in rng.sample(customers, 5):
        edits.append({"id": cid, "entity": "customer", "deleted": True})
    book.write(edits)
    logged = rng.sample(customers, 30)
    log = [(cid, rng.choice(("claim", "assign", "lock")), _days(rng, 60)) for cid in logged]
    log += [(cid, "unlock", NOW - timedelta(days=1)) for cid in logged[:4]]
    book.write([{"id": cid, "entity": "customer"} for cid in logged], log)
    return customers


def _kept(db: ServerDB) -> dict[str, tuple[Any, str]]:
    with db.read() as s:
        rows = s.connection().execute(select(pool_standings.STANDING)).all()
    return {r.customer_id: (pool_standings.as_standing(r), r.period) for r in rows}


def _full(db: ServerDB) -> dict[str, tuple[Any, str]]:
    with db.read() as s:
        return standings(s)


def test_the_kept_standings_equal_the_full_read_and_a_rebuild(db: ServerDB) -> None:
    _generate(Book(db), random.Random(18))
    full = _full(db)
    assert len(full) > 100
    assert _kept(db) == full
    with db.write() as s:
        assert pool_standings.rebuild(s.connection()) == len(full)
    assert _kept(db) == full


@pytest.mark.parametrize("rows", RULE_BOOKS)
def test_the_indexed_candidates_give_the_same_due_customers(db: ServerDB, rows) -> None:
    _generate(Book(db), random.Random(len(rows)))
    rules = PoolRules.from_rows(rows)
    full = _full(db)
    for now in (NOW, NOW + timedelta(days=10), NOW + timedelta(days=45)):
        with db.read() as s:
            found = pool_standings.candidates(s.connection(), rules, now)
        expected = {cid for cid, (st, _) in full.items() if is_due(rules, st, now)}
        assert {cid for cid, (st, _) in found.items() if is_due(rules, st, now)} == expected
        assert len(found) <= len(full)  # an index range, not every owned customer


def test_a_pass_releases_the_due_customers_once_and_a_follow_up_moved_away_counts(
    db: ServerDB,
) -> None:
    book = Book(db)
    _generate(book, random.Random(7))
    rules = PoolRules.from_rows([])
    due = {cid for cid, (st, _) in _full(db).items() if is_due(rules, st, NOW)}
    first = release_pass(db, ServerClock(), NOW)
    assert set(first.released) == due and len(first.released) == len(due)
    assert release_pass(db, ServerClock(), NOW).released == []
    with db.read() as s:
        released = dict(
            s.execute(
                text(
                    "SELECT customer_id, count(*) FROM pool_log WHERE event = 'release' GROUP BY 1"
                )
            ).all()
        )
        owners = dict(s.execute(select(Record.id, Record.owner_id)).all())
    assert released == dict.fromkeys(due, 1)
    assert all(owners[cid] is None for cid in due)
    assert not due & set(_kept(db))  # a pooled customer has no standing
    # A kept customer whose only recent follow-up moves to another customer becomes due.
    book.write(
        [
            {
                "id": "kept",
                "entity": "customer",
                "owner_id": "u-a",
                "created_at": NOW - timedelta(days=90),
                "data": {"name": "留下"},
            },
            {
                "id": "f-kept",
                "entity": "activity",
                "data": {"customer_id": "kept", "done_at": "2026-12-01T08:00:00Z"},
            },
        ]
    )
    assert "kept" not in release_pass(db, ServerClock(), NOW).released
    book.write(
        [
            {
                "id": "f-kept",
                "entity": "activity",
                "data": {"customer_id": "c000", "done_at": "2026-12-01T08:00:00Z"},
            }
        ]
    )
    assert release_pass(db, ServerClock(), NOW).released == ["kept"]


@pytest.mark.slow
def test_standings_candidates_and_a_pass_agree_on_postgres(pg_db: ServerDB) -> None:
    _generate(Book(pg_db), random.Random(5))
    full = _full(pg_db)
    assert _kept(pg_db) == full
    for rows in RULE_BOOKS:
        rules = PoolRules.from_rows(rows)
        with pg_db.read() as s:
            found = pool_standings.candidates(s.connection(), rules, NOW)
        expected = {cid for cid, (st, _) in full.items() if is_due(rules, st, NOW)}
        assert {cid for cid, (st, _) in found.items() if is_due(rules, st, NOW)} == expected
    due = {cid for cid, (st, _) in full.items() if is_due(PoolRules.from_rows([]), st, NOW)}
    assert set(release_pass(pg_db, ServerClock(), NOW).released) == due
    assert release_pass(pg_db, ServerClock(), NOW).released == []
    with pg_db.write() as s:
        pool_standings.rebuild(s.connection())
    assert _kept(pg_db) == _full(pg_db)
