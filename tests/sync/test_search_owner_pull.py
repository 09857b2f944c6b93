"""A laptop that pulls its book from a real `crm server` (contacts arriving pages before
their company, a contact moved and one deleted on another laptop) keeps search_doc_owner
(migration 0141) exact, so `crm query customers WORD` finds a contact's company."""

from __future__ import annotations

import sqlite3

from crm_tui.services import lists
from crm_tui.storage import plain_rows
from crm_tui.sync.client import SyncReport, pull_changes

EXPECTED = (
    "SELECT docid, row_id FROM search_doc WHERE entity = 'customer' UNION ALL "
    "SELECT d.docid, c.customer_id FROM search_doc d JOIN contact c ON c.id = d.row_id "
    "WHERE d.entity = 'contact' AND c.deleted = 0 AND c.customer_id IS NOT NULL"
)


def _owners_exact(path) -> int:
    with sqlite3.connect(path) as conn:
        held = conn.execute("SELECT docid, customer_id FROM search_doc_owner ORDER BY 1")
        held = held.fetchall()
        assert held == conn.execute(f"SELECT * FROM ({EXPECTED}) ORDER BY 1").fetchall()
        return len(held)


def _found(lap, word: str) -> list[str]:
    filter_ = lists.compile(lap.db, "customer", word)
    with sqlite3.connect(lap.path) as conn:
        rows = plain_rows.select_rows(conn, filter_, limit=100)
        return sorted(r["name"] for batch in rows for r in batch)


def test_pulled_contacts_count_for_their_company(laptop) -> None:
    alice = laptop()
    repos = alice.db.repos
    north = repos.customers.create({"name": "Northwind 北方", "city": "Ningbo"}).id
    south = repos.customers.create({"name": "Southwind 南方", "city": "Ningbo"}).id
    wei = repos.contacts.create({"customer_id": north, "name": "张伟"}).id
    fang = repos.contacts.create({"customer_id": south, "name": "王芳"}).id
    alice.sync()
    repos.customers.update(north, {"notes": "later"})  # its latest after its contact
    alice.sync()

    bob = laptop()
    with bob.client() as client:
        pull_changes(bob.db, client, SyncReport(), page=1)
    assert _found(bob, "张伟") == ["Northwind 北方"]
    assert _found(bob, "王芳") == ["Southwind 南方"]
    assert _owners_exact(bob.path) == 4

    repos.contacts.update(wei, {"customer_id": south})  # moved on alice's laptop
    repos.contacts.delete(fang)
    alice.sync()
    bob.sync()
    assert _found(bob, "张伟") == ["Southwind 南方"]
    assert _found(bob, "王芳") == []
    assert _owners_exact(bob.path) == 3
