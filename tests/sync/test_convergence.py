"""Two or three laptops edit offline, sync through a real server, and end up equal."""

from __future__ import annotations

import time

from crm_tui.domain.rules import ExpenseStatus


def settle(*laptops) -> None:
    """Sync every laptop twice, so each has pulled what the others pushed."""
    for _ in range(2):
        for lap in laptops:
            lap.sync()


def test_offline_edits_on_two_clients_converge(laptop) -> None:
    alice, bob = laptop(), laptop()
    a1 = alice.db.repos.customers.create({"name": "Acme Steel", "city": "北京"}).id
    b1 = bob.db.repos.customers.create({"name": "Borealis", "city": "Shanghai"}).id
    settle(alice, bob)
    alice.db.repos.customers.update(b1, {"grade": "A"})
    bob.db.repos.customers.update(a1, {"phone": "010 1234 5678"})
    bob.db.repos.contacts.create({"customer_id": a1, "name": "张伟"})
    settle(alice, bob)
    for row_id in (a1, b1):
        assert alice.row("customer", row_id) == bob.row("customer", row_id)
    assert alice.row("customer", b1)["grade"] == "A"
    assert alice.row("customer", a1)["phone"] == "010 1234 5678"
    # Pulled rows go through the repositories' tables: the search index finds them.
    assert [c.name for c in alice.db.repos.contacts.search("张伟")] == ["张伟"]
    assert alice.db.pending_changes() == bob.db.pending_changes() == 0


def test_same_field_resolves_by_clock_and_loser_is_kept(laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Cobalt", "city": "Xi'an"}).id
    settle(alice, bob)
    bob.db.repos.customers.update(cid, {"city": "Chengdu"})  # older edit
    time.sleep(0.005)
    alice.db.repos.customers.update(cid, {"city": "Wuhan"})  # newer edit: wins
    alice.sync()
    report = bob.sync()
    alice.sync()
    assert alice.row("customer", cid)["city"] == bob.row("customer", cid)["city"] == "Wuhan"
    assert report.conflicts == 1
    [lost] = bob.conflicts()
    assert (lost["field"], lost["losing_value"], lost["winning_value"]) == (
        "city",
        "Chengdu",
        "Wuhan",
    )
    assert lost["kind"] == "conflict" and lost["who"] == alice.name


def test_newer_edit_pushed_last_keeps_the_overwritten_value(laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Dynamo", "city": "Xi'an"}).id
    settle(alice, bob)
    alice.db.repos.customers.update(cid, {"city": "Harbin"})
    time.sleep(0.005)
    bob.db.repos.customers.update(cid, {"city": "Dalian"})  # newer, pushed second
    alice.sync()
    bob.sync()
    alice.sync()
    assert alice.row("customer", cid)["city"] == bob.row("customer", cid)["city"] == "Dalian"
    [lost] = bob.conflicts()
    assert (lost["losing_value"], lost["winning_value"]) == ("Harbin", "Dalian")


def test_different_fields_merge(laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Echo Ltd"}).id
    settle(alice, bob)
    alice.db.repos.customers.update(cid, {"city": "Nanjing"})
    bob.db.repos.customers.update(cid, {"grade": "B", "tags": "vip"})
    settle(alice, bob)
    for lap in (alice, bob):
        row = lap.row("customer", cid)
        assert (row["city"], row["grade"], row["tags"]) == ("Nanjing", "B", "vip")
        assert lap.conflicts() == []


def test_delete_wins_over_offline_edit_and_restore_brings_the_edit_back(laptop) -> None:
    """The edit never resurrects the row, and is never lost from view: the editor gets a
    conflict of kind 'deleted'; restoring it brings the row back with the edit (issue 14)."""
    from crm_tui.storage import sync_store

    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Fulcrum"}).id
    settle(alice, bob)
    alice.db.repos.customers.delete(cid)
    bob.db.repos.customers.update(cid, {"notes": "met the buyer"})
    alice.sync()
    assert bob.sync().conflicts == 1
    alice.sync()
    for lap in (alice, bob):
        assert lap.row("customer", cid)["deleted"] is True  # an edit never resurrects
        assert lap.db.repos.customers.search("Fulcrum") == []
    [kept] = bob.conflicts()
    assert (kept["kind"], kept["field"], kept["losing_value"]) == (
        "deleted",
        "notes",
        "met the buyer",
    )
    # A teammate may bring back a shared record deleted by its owner (the rule book), so
    # Bob restores his edit from the conflicts view: restore + patch, in that order.
    sync_store.restore_conflict(bob.db, kept["id"])
    assert [r["kind"] for r in bob.db.outbox_rows()] == ["restore", "patch"]
    settle(alice, bob)
    for lap in (alice, bob):
        row = lap.row("customer", cid)
        assert row["deleted"] is False and row["notes"] == "met the buyer"
        assert [c.id for c in lap.db.repos.customers.search("Fulcrum")] == [cid]


def test_three_laptops_converge_after_mixed_edits(laptop) -> None:
    laps = [laptop(), laptop(), laptop("manager")]
    ids = [lap.db.repos.customers.create({"name": f"Grid {i}"}).id for i, lap in enumerate(laps)]
    settle(*laps)
    for i, lap in enumerate(laps):
        lap.db.repos.customers.update(ids[(i + 1) % 3], {"city": f"City {i}"})
        lap.db.repos.customers.update(ids[i], {"grade": "C"})
    laps[0].db.repos.customers.delete(ids[2])
    settle(*laps)
    for row_id in ids:
        rows = [lap.row("customer", row_id) for lap in laps]
        assert rows[0] == rows[1] == rows[2]
    assert all(lap.db.pending_changes() == 0 for lap in laps)


def test_manager_approval_reaches_the_rep_while_their_offline_edit_is_refused(laptop) -> None:
    rep, boss = laptop(), laptop("manager")
    eid = rep.db.repos.expenses.create(
        {"spent_on": "2026-11-20", "amount": "320", "category": "meals", "description": "dinner"}
    ).id
    rep.db.repos.expenses.submit(eid)
    rep.sync()
    boss.sync()
    boss.db.repos.expenses.approve(eid, note="ok")
    boss.sync()
    # Offline, the rep withdraws the claim and changes the amount.
    rep.db.repos.expenses.withdraw(eid)
    rep.db.repos.expenses.update(eid, {"amount": "999"})
    report = rep.sync()
    row = rep.row("expense", eid)
    assert row["status"] == ExpenseStatus.APPROVED
    assert row["amount"] == 32000  # back to the server's value
    assert row["decision_note"] == "ok"
    assert report.rejected == 2
    refused = {(c["field"], c["losing_value"]) for c in rep.conflicts() if c["kind"] == "rejected"}
    assert ("amount", 99900) in refused
    [amount] = [c for c in rep.conflicts() if c["field"] == "amount"]
    assert amount["winning_value"] == 32000  # what the server kept, shown beside it
    assert all(c["reason"] for c in rep.conflicts())
    boss.sync()
    assert boss.row("expense", eid) == rep.row("expense", eid)
