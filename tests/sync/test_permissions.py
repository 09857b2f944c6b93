"""The server enforces who sees and writes what, for every change and every pulled row."""

from __future__ import annotations

from crm_tui.storage.duplicates import duplicate_customers
from crm_tui.sync.protocol import Mutation, PushRequest


def raw_push(lap, *mutations: dict) -> list:
    """Push hand-made mutations with this laptop's token (what a tampered client could send)."""
    from crm_tui.storage.sync_store import spent_client_seq

    seq = spent_client_seq(lap.db)
    batch = []
    for i, m in enumerate(mutations, start=1):
        batch.append(
            Mutation(
                client_seq=seq + i,
                mutation_id=f"raw-{seq + i}-{lap.name}",
                base_version=0,
                hlc=lap.db.hlc.tick().encode(),
                **m,
            )
        )
    # Keep the laptop's own outbox numbering ahead of what was spent here.
    with lap.db.transaction() as s:
        from sqlalchemy import text

        s.connection().execute(
            text("UPDATE sqlite_sequence SET seq = :n WHERE name = 'outbox'"),
            {"n": seq + len(batch)},
        )
    with lap.client() as client:
        return client.push(PushRequest(mutations=batch)).results


def test_a_rep_never_sees_another_reps_expenses_but_the_manager_does(laptop) -> None:
    alice, bob, boss = laptop(), laptop(), laptop("manager")
    eid = alice.db.repos.expenses.create({"spent_on": "2026-11-20", "amount": "88"}).id
    alice.sync()
    bob.sync()
    boss.sync()
    assert bob.row("expense", eid) is None
    assert boss.row("expense", eid)["amount"] == 8800
    result, missing = raw_push(
        bob,
        {"entity": "expense", "row_id": eid, "kind": "patch", "payload": {"amount": 1}},
        {"entity": "expense", "row_id": "no-such-claim", "kind": "patch", "payload": {}},
    )
    # "Not yours" reads exactly as "not there": nothing about the claim leaks back.
    assert result.status == missing.status == "rejected"
    assert result.reason == missing.reason
    assert result.row is None


def test_a_rep_cannot_approve_their_own_claim(laptop) -> None:
    alice = laptop()
    eid = alice.db.repos.expenses.create({"spent_on": "2026-11-20", "amount": "88"}).id
    alice.db.repos.expenses.submit(eid)
    alice.sync()
    [result] = raw_push(
        alice,
        {
            "entity": "expense",
            "row_id": eid,
            "kind": "command",
            "payload": {"command": "approved", "fields": {}},
        },
    )
    assert result.status == "rejected" and "only a manager" in result.reason
    [edit] = raw_push(
        alice, {"entity": "expense", "row_id": eid, "kind": "patch", "payload": {"amount": 5}}
    )
    assert edit.status == "rejected" and "locked" in edit.reason
    assert edit.row["fields"]["status"] == "submitted"


def test_announcements_are_written_by_managers_only(laptop) -> None:
    rep, boss = laptop(), laptop("manager")
    aid = rep.db.repos.announcements.create({"title": "free lunch"}).id
    report = rep.sync()
    assert report.rejected == 1
    assert rep.row("announcement", aid)["deleted"] is True  # refused: hidden, value kept
    assert {c["field"] for c in rep.conflicts() if c["kind"] == "rejected"} >= {"title"}
    bid = boss.db.repos.announcements.create({"title": "Q4 targets"}).id
    boss.sync()
    rep.sync()
    assert rep.row("announcement", bid)["title"] == "Q4 targets"


def test_duplicate_customers_of_two_reps_are_flagged_for_both_and_the_manager(laptop) -> None:
    alice, bob, boss = laptop(), laptop(), laptop("manager")
    a = alice.db.repos.customers.create(
        {"name": "Huawei Tech Co., Ltd.", "phone": "0755 2878 0808"}
    ).id
    alice.sync()
    b = bob.db.repos.customers.create({"name": "HUAWEI TECH"}).id
    bob.sync()
    alice.sync()
    boss.sync()
    for lap in (alice, bob, boss):
        flagged = {d["id"]: d["duplicate_of"] for d in duplicate_customers(lap.db)}
        assert b in flagged[a] and a in flagged[b]


def test_a_rep_may_edit_a_team_customer_but_not_delete_another_reps(laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Ironclad"}).id
    alice.sync()
    bob.sync()
    bob.db.repos.customers.update(cid, {"city": "Suzhou"})
    bob.db.repos.customers.delete(cid)
    report = bob.sync()
    assert report.rejected == 1
    row = bob.row("customer", cid)
    assert row["deleted"] is False and row["city"] == "Suzhou"  # back to the server's row
