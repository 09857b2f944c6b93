"""The desk's "Going to the pool" walk (services/pool_soon.py over migration 0137's
pool_clock) lists exactly what the pool rules give when run on every customer the rep owns
— soonest first, the same customers and order — on a book filled by a first sync's bulk
pull (indexes deferred) and then changed through the repositories: follow-ups done, undone,
moved and deleted, customers claimed, locked, handed over and deleted; for several rule books."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import to_wire
from crm_tui.domain.pool_rules import release_at, warn_from
from crm_tui.services import pool_soon
from crm_tui.storage import pool_quick, pull_store
from crm_tui.storage.database import Database, open_database
from crm_tui.storage.ids import new_id
from crm_tui.sync.http import WireChange
from tests.pool.conftest import pulled, sign_in

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
ME, OTHER = "u-alice", "u-bob"
STAMP = "2026-01-01T00:00:00.000000Z"
RULE_BOOKS = [
    [],
    [{"grade": "*", "followup_days": 20, "warn_days": 10}, {"grade": "A", "followup_days": 45}],
    [
        {"grade": "*", "followup_days": 30, "deal_days": 25, "exempt_open_deal": False},
        {"grade": "B", "followup_days": 0, "deal_days": 40, "exempt_won": False, "warn_days": 3},
    ],
]


def _ago(rng: random.Random, most: float = 120) -> str:
    return to_wire(NOW - timedelta(days=rng.uniform(0, most)))


def _snapshot(fields: dict[str, Any], owner: str | None, created: str = STAMP) -> dict:
    return {
        "fields": fields,
        "owner_id": owner,
        "deleted": False,
        "field_hlc": {k: f"{1795446410905:016d}-000000-server" for k in fields},
        "created_at": created,
        "updated_at": created,
    }


def _first_sync(db: Database, rng: random.Random) -> list[str]:
    """Customers, follow-ups and deals as a first sync writes them (bulk, indexes deferred)."""
    customers = [new_id() for _ in range(150)]
    changes: list[WireChange] = []
    for cid in customers:
        fields: dict[str, Any] = {"name": f"客户 {cid[-5:]}", "grade": rng.choice("ABC ").strip()}
        if rng.random() < 0.2:
            fields["claimed_at"] = _ago(rng, 200)
        owner = ME if rng.random() < 0.8 else rng.choice((OTHER, None))
        changes.append(
            WireChange(0, "customer", cid, "upsert", _snapshot(fields, owner, _ago(rng, 300)))
        )
    for _ in range(450):
        fields = {"customer_id": rng.choice(customers), "subject": "回访"}
        if rng.random() < 0.8:
            fields["done_at"] = _ago(rng)
        changes.append(WireChange(0, "activity", new_id(), "upsert", _snapshot(fields, ME)))
    for _ in range(90):
        stage = rng.choice(("lead", "proposal", "won", "lost"))
        fields = {"customer_id": rng.choice(customers), "title": "设备", "stage": stage}
        changes.append(WireChange(0, "opportunity", new_id(), "upsert", _snapshot(fields, ME)))
    rng.shuffle(changes)  # follow-ups may arrive before their customer
    for seq, change in enumerate(changes, 1):
        change.seq = seq
    assert pull_store.begin_pull(db)
    for start in range(0, len(changes), 100):
        page = changes[start : start + 100]
        pull_store.apply_page(db, page, page[-1].seq, bulk=True)
    pull_store.end_pull(db)
    return customers


def _edit(db: Database, rng: random.Random, customers: list[str]) -> None:
    """Later changes on the laptop: every kind the clock depends on."""
    repos = db.repos
    with sqlite3.connect(db.path) as conn:
        done = [r[0] for r in conn.execute("SELECT id FROM activity WHERE done_at IS NOT NULL")]
    for aid in rng.sample(done, 40):
        pick = rng.random()
        if pick < 0.3:
            repos.activities.delete(aid)
        elif pick < 0.6:
            repos.activities.update(aid, {"done_at": None})
        elif pick < 0.8:
            repos.activities.update(aid, {"customer_id": rng.choice(customers)})
        else:
            repos.activities.update(aid, {"done_at": NOW - timedelta(days=rng.uniform(0, 90))})
    for cid in rng.sample(customers, 30):
        pick = rng.random()
        if pick < 0.3:
            repos.customers.update(cid, {"claimed_at": NOW - timedelta(days=rng.uniform(0, 60))})
        elif pick < 0.5:
            repos.customers.update(cid, {"locked": True})
        elif pick < 0.7:
            repos.customers.delete(cid)
        else:
            with db.transaction() as s:  # handed over (the server's assign, pulled)
                rec = s.get(repos.customers.model, cid)
                if rec is not None:
                    rec.owner_id = rng.choice((ME, OTHER))
    cid = rng.choice(customers)
    repos.activities.create({"customer_id": cid, "subject": "新跟进", "done_at": NOW})


def _reference(path: Path, limit: int) -> list[str]:
    """The rules run on every customer the rep owns (no walk, no prefilter)."""
    conn = sqlite3.connect(path)
    try:
        team = pool_quick.rules(conn)
        found = []
        for cid, name, standing in pool_quick.standings(conn, ME):
            warn = warn_from(team, standing)
            if warn is not None and warn <= NOW:
                found.append((release_at(team, standing), name, cid))
    finally:
        conn.close()
    return [cid for _, _, cid in sorted(found)[:limit]]


def _walked(path: Path, limit: int) -> list[str]:
    return [x.customer_id for x in pool_soon.going_to_pool(path, Clock(fixed=NOW), limit=limit)]


@pytest.mark.parametrize("book", range(len(RULE_BOOKS)))
def test_the_walk_lists_what_the_rules_give_on_every_customer(tmp_path: Path, book: int) -> None:
    path = tmp_path / "walk.db"
    db = open_database(path, Clock(fixed=NOW))
    sign_in(db, ME)
    for row in RULE_BOOKS[book]:
        pulled(db, "pool_rule", row, None)
    rng = random.Random(book)
    customers = _first_sync(db, rng)
    for limit in (1, 8, 50, 1000):
        expected = _reference(path, limit)
        assert _walked(path, limit) == expected
    assert len(_reference(path, 1000)) > 8  # the book has a real window to walk
    _edit(db, rng, customers)
    for limit in (8, 50, 1000):
        assert _walked(path, limit) == _reference(path, limit)
    db.close()


def test_the_walk_reads_a_few_rows_not_every_customer(tmp_path: Path) -> None:
    """The panel's 8 come from the index walk: the rows the rules are run on stay near the
    panel's size however many customers the rep owns."""
    path = tmp_path / "walk.db"
    db = open_database(path, Clock(fixed=NOW))
    sign_in(db, ME)
    _first_sync(db, random.Random(3))
    db.close()
    calls = []
    real = pool_quick.standing_of

    def counted(conn, cid, owner):
        calls.append(cid)
        return real(conn, cid, owner)

    pool_quick.standing_of = counted  # type: ignore[assignment]
    try:
        assert len(_walked(path, 8)) == 8
    finally:
        pool_quick.standing_of = real  # type: ignore[assignment]
    assert len(calls) < 40
