"""A new laptop's pull against a real server: each row once at its latest version, pages of
any size converge, a pull cut off in the middle of a page resumes without loss, and a
first sync's deferred indexes are always rebuilt. tests/sync/test_pull_postgres.py runs
the server-backed ones again on PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from crm_tui.storage import pull_store
from crm_tui.sync.client import SyncClient, SyncReport, pull_changes


class Recording:
    """Wraps a SyncClient and keeps every change the server sent."""

    def __init__(self, client: SyncClient) -> None:
        self.client = client
        self.upserts: Counter[str] = Counter()
        self.pages = 0

    def pull_page(self, after: int, limit: int):  # noqa: ANN201 - a PulledPage
        page = self.client.pull_page(after, limit)
        self.pages += 1
        self.upserts.update(c.row_id for c in page.changes if c.op == "upsert")
        return page


def _book_with_history(lap) -> dict[str, list[str]]:
    """Customers, contacts and follow-ups; each customer then edited three more times and
    synced each time, so it has four versions and its latest comes after its children."""
    made: dict[str, list[str]] = {"customer": [], "contact": [], "activity": []}
    repos = lap.db.repos
    for i in range(3):
        cid = repos.customers.create({"name": f"Pullwright {i}", "city": "Ningbo"}).id
        made["customer"].append(cid)
        made["contact"].append(repos.contacts.create({"customer_id": cid, "name": f"Li {i}"}).id)
        made["activity"].append(
            repos.activities.create({"customer_id": cid, "subject": f"call {i}"}).id
        )
    lap.sync()
    for round_ in range(3):
        for cid in made["customer"]:
            repos.customers.update(cid, {"notes": f"edit {round_}", "grade": "AB"[round_ % 2]})
        lap.sync()
    return made


def _same_rows(a, b, made: dict[str, list[str]]) -> None:
    for entity, ids in made.items():
        if entity == "activity" and b.db.role == "rep":
            assert all(b.row(entity, row_id) is None for row_id in ids)  # alice's own
            continue
        for row_id in ids:
            mine, theirs = a.row(entity, row_id), b.row(entity, row_id)
            assert mine is not None and mine == theirs, (entity, row_id)


def _indexes(lap) -> set[str]:
    with sqlite3.connect(lap.path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}


@pytest.mark.parametrize("role", ["manager", "rep"])
def test_a_new_laptop_gets_each_row_once_at_its_latest_version(laptop, role: str) -> None:
    alice = laptop()
    made = _book_with_history(alice)
    bob = laptop(role)
    with bob.client() as client:
        recording = Recording(client)
        # Pages of 2: the children (contacts, follow-ups) arrive pages before their
        # customer's latest version, so they wait parked until it comes.
        pull_changes(bob.db, recording, SyncReport(), page=2)  # type: ignore[arg-type]
    assert recording.pages > 3
    ours = [row_id for ids in made.values() for row_id in ids]
    if role == "rep":
        ours = [row_id for row_id in ours if row_id not in made["activity"]]
    assert all(recording.upserts[row_id] == 1 for row_id in ours), recording.upserts
    assert max(recording.upserts.values()) == 1  # every row on the server, once
    _same_rows(alice, bob, made)
    assert bob.row("customer", made["customer"][0])["notes"] == "edit 2"
    assert pull_store.parked_count(bob.db) == 0
    assert bob.db.repos.customers.search("Pullwright")  # search documents were written
    assert bob.db.repos.contacts.search("Pullwright 1")  # with the company, which came later


@pytest.mark.parametrize("page", [1, 7, 5000])
def test_pages_of_any_size_converge(laptop, page: int) -> None:
    alice = laptop()
    made = _book_with_history(alice)
    bob = laptop("manager")
    with bob.client() as client:
        pull_changes(bob.db, client, SyncReport(), page=page)
    _same_rows(alice, bob, made)
    assert pull_store.parked_count(bob.db) == 0
    # and nothing more to pull afterwards
    with bob.client() as client:
        again = SyncReport()
        pull_changes(bob.db, client, again, page=page)
    assert again.pulled == 0


def test_a_pull_cut_off_mid_page_resumes_without_loss(laptop, monkeypatch) -> None:
    alice = laptop()
    made = _book_with_history(alice)
    bob = laptop("manager")
    indexes = _indexes(bob)
    real_upsert = pull_store._upsert
    calls = {"n": 0}

    def dies_on_a_later_write(conn, shape, rows):  # noqa: ANN001, ANN202
        calls["n"] += 1
        # The third write or later, once a page has committed (the session's server also
        # holds earlier tests' rows: the first page may need three writes on its own).
        if calls["n"] >= 3 and not calls.get("died") and pull_store.cursor_of(bob.db) > 0:
            calls["died"] = 1
            real_upsert(conn, shape, rows[:1])  # part of the page is written, then…
            raise OSError("laptop lid closed")
        return real_upsert(conn, shape, rows)

    monkeypatch.setattr(pull_store, "_upsert", dies_on_a_later_write)
    with bob.client() as client, pytest.raises(OSError):
        pull_changes(bob.db, client, SyncReport(), page=3)
    kept = pull_store.cursor_of(bob.db)
    assert kept > 0  # the pages before the failure were kept, with their cursor
    assert _indexes(bob) == indexes  # the first sync's deferred indexes are back
    monkeypatch.setattr(pull_store, "_upsert", real_upsert)
    with bob.client() as client:
        pull_changes(bob.db, client, SyncReport(), page=3)
    assert pull_store.cursor_of(bob.db) > kept
    _same_rows(alice, bob, made)
    assert pull_store.parked_count(bob.db) == 0


def test_a_first_sync_killed_half_way_rebuilds_its_indexes_on_the_next_pull(laptop) -> None:
    alice = laptop()
    made = _book_with_history(alice)
    bob = laptop()
    indexes = _indexes(bob)
    assert pull_store.begin_pull(bob.db)  # a brand-new laptop defers its indexes…
    assert "ix_activity_list_due" in indexes and "ix_activity_list_due" not in _indexes(bob)
    with bob.client() as client:  # …and is killed after one page (end_pull never ran)
        page = client.pull_page(0, 2)
        pull_store.apply_page(bob.db, page.changes, page.cursor, bulk=True)
    assert bob.db.state(pull_store.DEFERRED_KEY)
    bob.sync()
    assert _indexes(bob) == indexes and not bob.db.state(pull_store.DEFERRED_KEY)
    _same_rows(alice, bob, made)


def _changes_of(who, row_id: str) -> list:
    """Every change for `row_id` in the whole log, page by page (the module's server holds
    other tests' rows too, so the row need not be on the first page)."""
    found, cursor = [], 0
    with who.client() as client:
        while True:
            page = client.pull_page(cursor, 5000)
            found += [c for c in page.changes if c.row_id == row_id]
            if not page.has_more:
                return found
            cursor = page.cursor


def test_a_laptop_gets_its_own_writes_back_as_versions_only(laptop) -> None:
    """CONTRACT-21 against the real server: alice's own unchanged create comes back as op
    'version' (the version ratchets, nothing else is written); bob gets the full row."""
    alice, bob = laptop(), laptop("manager")
    cid = alice.db.repos.customers.create({"name": "Echo Valves 合肥", "city": "Hefei"}).id
    alice.sync()
    mine, theirs = _changes_of(alice, cid), _changes_of(bob, cid)
    assert [c.op for c in mine] == ["version"] and [c.op for c in theirs] == ["upsert"]
    bob.sync()
    assert alice.db.repos.customers.require(cid).server_version == mine[0].seq
    assert bob.db.repos.customers.require(cid).server_version == mine[0].seq
    assert alice.row("customer", cid) == bob.row("customer", cid)
