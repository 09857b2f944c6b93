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
