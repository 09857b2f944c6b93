"""Issue 21: a brand-new laptop's first sync drops the follow-ups' derived-data triggers with
the secondary indexes and fills their tables once at the end. Against a real server, its
derived tables (last done follow-up per customer, the pool clocks, the insight queue) must
equal those of a laptop that applied the same pages with every trigger firing, and its
schema must be whole again afterwards — also when the first sync was cut short."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from crm_tui.storage import pull_store

NOW = datetime.now(UTC).replace(microsecond=0)
DERIVED = {
    "customer_last_done": "SELECT customer_id, last_done_at, owner_id, live FROM "
    "customer_last_done",
    "pool_clock": "SELECT customer_id, owner_id, since FROM pool_clock",
    "insight_dirty": "SELECT customer_id FROM insight_dirty",
}


def _history(lap) -> list[str]:
    """Customers with done and open follow-ups, then edits the triggers react to: a
    follow-up undone, one moved to another customer, one deleted, one done later, a
    customer lost, a customer claimed."""
    repos = lap.db.repos
    customers = [
        repos.customers.create({"name": f"衍生 {i}", "city": "Suzhou"}).id for i in range(6)
    ]
    done = []
    for i, cid in enumerate(customers):
        for k in range(3):
            when = NOW - timedelta(days=10 * k + i)
            done.append(
                repos.activities.create(
                    {"customer_id": cid, "subject": f"visit {i}-{k}", "done_at": when}
                ).id
            )
        repos.activities.create({"customer_id": cid, "subject": f"call {i}", "due_at": "+2d"})
    lap.sync()
    repos.activities.update(done[0], {"done_at": None})
    repos.activities.update(done[3], {"customer_id": customers[5]})
    repos.activities.delete(done[6])
    repos.activities.update(done[10], {"done_at": NOW - timedelta(hours=1)})
    repos.customers.update(customers[2], {"status": "lost"})
    repos.customers.update(customers[4], {"claimed_at": NOW - timedelta(days=1)})
    lap.sync()
    return customers


def _tables(lap) -> dict[str, set[tuple]]:
    with sqlite3.connect(lap.path) as conn:
        return {name: set(conn.execute(sql)) for name, sql in DERIVED.items()}


def _schema(lap) -> set[tuple[str, str]]:
    with sqlite3.connect(lap.path) as conn:
        return set(
            conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger')")
        )


def _pull_with_triggers(lap) -> None:
    """Every page applied as a later pull applies it: no deferral, every trigger fires."""
    after = pull_store.cursor_of(lap.db)
    with lap.client() as client:
        while True:
            page = client.pull_page(after, 7)
            pull_store.apply_page(lap.db, page.changes, page.cursor)
            after = page.cursor
            if not page.has_more:
                return


def test_a_first_sync_fills_the_derived_tables_as_the_triggers_would(laptop) -> None:
    alice = laptop()
    customers = _history(alice)
    fresh, slow = laptop("manager"), laptop("manager")
    schema = _schema(fresh)
    assert ("trigger", "tr_activity_last_done_insert") in schema
    report = fresh.sync()  # a brand-new laptop: indexes and triggers deferred
    assert report.pulled and not fresh.db.state(pull_store.DEFERRED_KEY)
    _pull_with_triggers(slow)
    assert _schema(fresh) == schema
    got, want = _tables(fresh), _tables(slow)
    assert got == want
    # The history shows in them: the lost customer is not live, all six have a last visit.
    last = {row[0]: row for row in got["customer_last_done"]}
    assert set(customers) <= set(last) and last[customers[2]][3] == 0
    assert set(customers) <= {r[0] for r in got["pool_clock"]}


def test_a_first_sync_cut_short_restores_its_triggers_on_the_next_pull(laptop) -> None:
    alice = laptop()
    _history(alice)
    fresh, slow = laptop("manager"), laptop("manager")
    schema = _schema(fresh)
    assert pull_store.begin_pull(fresh.db)
    assert ("trigger", "tr_insight_activity_insert") not in _schema(fresh)
    with fresh.client() as client:  # killed after two pages: end_pull never ran
        page = client.pull_page(0, 5)
        pull_store.apply_page(fresh.db, page.changes, page.cursor, bulk=True)
        page = client.pull_page(page.cursor, 5)
        pull_store.apply_page(fresh.db, page.changes, page.cursor, bulk=True)
    fresh.sync()
    _pull_with_triggers(slow)
    assert _schema(fresh) == schema
    assert _tables(fresh) == _tables(slow)
