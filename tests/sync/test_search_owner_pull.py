"""A laptop that pulls its book from a real `crm server` (contacts arriving pages before
their company, a contact moved and one deleted on another laptop) keeps search_doc_owner
(migration 0141) exact, so `crm query customers WORD` finds a contact's company."""

from __future__ import annotations

import sqlite3
import uuid

from crm_tui.services import lists
from crm_tui.storage import plain_rows
from crm_tui.sync.client import SyncReport, pull_changes

EXPECTED = (
    "SELECT docid, row_id FROM search_doc WHERE entity = 'customer' UNION ALL "
    "SELECT d.docid, c.customer_id FROM search_doc d JOIN contact c ON c.id = d.row_id "
    "WHERE d.entity = 'contact' AND c.deleted = 0 AND c.customer_id IS NOT NULL"
)


def _owners_exact(path, ids: list[str]) -> int:
    """search_doc_owner equals what it stands for; how many of its rows are these records'
    (the session's server holds other tests' records too)."""
    with sqlite3.connect(path) as conn:
        held = conn.execute("SELECT docid, customer_id FROM search_doc_owner ORDER BY 1")
        held = held.fetchall()
        assert held == conn.execute(f"SELECT * FROM ({EXPECTED}) ORDER BY 1").fetchall()
        marks = ", ".join("?" for _ in ids)
        mine = f"SELECT docid FROM search_doc WHERE row_id IN ({marks})"
        return conn.execute(
            f"SELECT count(*) FROM search_doc_owner WHERE docid IN ({mine})", ids
        ).fetchone()[0]


def _found(lap, word: str, tag: str) -> list[str]:
    """This test's companies found by `word` (other tests' 张伟 are on the shared server)."""
    filter_ = lists.compile(lap.db, "customer", word)
    with sqlite3.connect(lap.path) as conn:
        rows = plain_rows.select_rows(conn, filter_, limit=1000)
        return sorted(r["name"] for batch in rows for r in batch if tag in r["name"])


def test_pulled_contacts_count_for_their_company(laptop) -> None:
    alice = laptop()
    repos = alice.db.repos
    tag = uuid.uuid4().hex[:8]
    north = repos.customers.create({"name": f"Northwind 北方 {tag}", "city": "Ningbo"}).id
    south = repos.customers.create({"name": f"Southwind 南方 {tag}", "city": "Ningbo"}).id
    wei = repos.contacts.create({"customer_id": north, "name": "张伟"}).id
    fang = repos.contacts.create({"customer_id": south, "name": "王芳"}).id
    alice.sync()
    repos.customers.update(north, {"notes": "later"})  # its latest after its contact
    alice.sync()

    bob = laptop()
    with bob.client() as client:
        pull_changes(bob.db, client, SyncReport(), page=1)
    ours = [north, south, wei, fang]
    assert _found(bob, "张伟", tag) == [f"Northwind 北方 {tag}"]
    assert _found(bob, "王芳", tag) == [f"Southwind 南方 {tag}"]
    assert _owners_exact(bob.path, ours) == 4

    repos.contacts.update(wei, {"customer_id": south})  # moved on alice's laptop
    repos.contacts.delete(fang)
    alice.sync()
    bob.sync()
    assert _found(bob, "张伟", tag) == [f"Southwind 南方 {tag}"]
    assert _found(bob, "王芳", tag) == []
    assert _owners_exact(bob.path, ours) == 3
