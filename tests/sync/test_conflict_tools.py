"""Restoring a losing value, and a manager reassigning a rep's deal."""

from __future__ import annotations

import time

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.storage import duplicates, sync_store


def test_a_losing_value_can_be_restored_and_wins_everywhere(laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Polaris"}).id
    alice.sync()
    bob.sync()
    bob.db.repos.customers.update(cid, {"city": "Kunming"})
    time.sleep(0.005)
    alice.db.repos.customers.update(cid, {"city": "Xiamen"})
    alice.sync()
    bob.sync()
    [lost] = bob.conflicts()
    assert lost["losing_value"] == "Kunming"
    assert sync_store.restore_conflict(bob.db, lost["id"]) == "restored customer city"
    assert bob.conflicts() == []
    bob.sync()
    alice.sync()
    assert alice.row("customer", cid)["city"] == bob.row("customer", cid)["city"] == "Kunming"


def test_a_manager_reassigns_a_deal_from_one_rep_to_another(laptop) -> None:
    alice, bob, boss = laptop(), laptop(), laptop("manager")
    cid = alice.db.repos.customers.create({"name": "Quasar"}).id
    oid = alice.db.repos.opportunities.create({"customer_id": cid, "title": "200 pumps"}).id
    alice.sync()
    boss.sync()
    with pytest.raises(ValidationErrors):
        duplicates.reassign(alice.db, "opportunity", oid, bob.db.user_id)
    duplicates.reassign(boss.db, "opportunity", oid, bob.db.user_id)
    assert boss.sync().rejected == 0
    alice.sync()
    bob.sync()
    assert alice.row("opportunity", oid)["deleted"] is True  # gone from alice's view
    row = bob.row("opportunity", oid)
    assert row["title"] == "200 pumps" and row["owner_id"] == bob.db.user_id
    assert row["deleted"] is False
    assert boss.row("opportunity", oid)["owner_id"] == bob.db.user_id


def test_an_edit_of_a_row_deleted_on_the_server_is_kept_and_can_bring_it_back(laptop) -> None:
    """Issue 14 item 3: delete vs edit. The edit is not lost from view: it is a conflict of
    kind 'deleted' on the laptop, and restoring it undeletes the row with the edit."""
    from crm_tui.services import sync as sync_service
    from crm_tui.services.book import Book

    alice, boss = laptop(), laptop("manager")
    cid = alice.db.repos.customers.create({"name": "Gone Co", "city": "Hefei"}).id
    alice.sync()
    boss.sync()
    alice.db.repos.customers.update(cid, {"notes": "signed the frame deal", "city": "Wuhu"})
    boss.db.repos.customers.delete(cid)
    boss.sync()
    report = alice.sync()
    assert report.conflicts == 1
    book = Book(alice.db)
    assert sync_service.status(book).conflicts == 2  # one per field of the edit
    lost = {c["field"]: c for c in sync_service.conflicts(book)}
    assert set(lost) == {"notes", "city"}
    assert {c["kind"] for c in lost.values()} == {"deleted"}
    assert lost["notes"]["losing_value"] == "signed the frame deal"
    assert "deleted on the server by" in (lost["notes"]["reason"] or "")
    assert alice.row("customer", cid)["deleted"] is True  # the server's delete stands here
    message = sync_service.restore_conflict(book, lost["notes"]["id"])
    assert "restored customer" in message
    assert sync_service.conflicts(book) == []  # the whole edit came back in one go
    kinds = [row["kind"] for row in alice.db.outbox_rows()]
    assert kinds == ["restore", "patch"]
    alice.sync()
    boss.sync()
    for lap in (alice, boss):
        row = lap.row("customer", cid)
        assert row["deleted"] is False
        assert (row["notes"], row["city"]) == ("signed the frame deal", "Wuhu")
