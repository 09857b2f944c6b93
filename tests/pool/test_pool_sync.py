"""Through a real `crm server`: the pool's claim, release, assign and lock are checked on
the server — the first claim wins and the loser sees why, the cap and the reclaim wait hold
even against a forged request."""

from __future__ import annotations

from crm_tui.storage.repository import Repository
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server
from tests.sync.test_permissions import raw_push

server = sqlite_server("pool")


def _pooled(owner, *others, name: str) -> str:
    """A customer `owner` made and released to the pool, seen by `others`."""
    cust = owner.db.repos.customers.create({"name": name, "city": "上海"})
    owner.sync()
    owner.db.repos.pool.steps.release(cust.id, "no budget this year")
    report = owner.sync()
    assert not report.rejected, report
    for lap in others:
        lap.sync()
        assert lap.row("customer", cust.id)["owner_id"] is None
    return cust.id


def test_two_reps_claim_one_pooled_customer_offline_exactly_one_owns_it(laptop) -> None:  # noqa: F811
    alice, bob, carol = laptop(), laptop(), laptop()
    cid = _pooled(alice, bob, carol, name="杭州精密仪器")
    seen = alice.row("customer", cid)
    assert seen["pool_since"] is not None and seen["previous_owner_id"] == alice.db.user_id
    # Both claim while offline; each laptop shows itself as the owner, pending.
    bob.db.repos.pool.steps.claim(cid)
    carol.db.repos.pool.steps.claim(cid)
    assert carol.db.repos.pool.steps.pending_steps() == {cid: "claim"}
    assert carol.row("customer", cid)["owner_id"] == carol.db.user_id
    # Carol keeps working on it offline: a note on the customer and a follow-up.
    carol.db.repos.customers.update(cid, {"notes": "老板周五在"})
    visit = carol.db.repos.activities.create(
        {"customer_id": cid, "kind": "visit", "subject": "拜访"}
    )
    assert not bob.sync().rejected
    report = carol.sync()
    assert report.rejected == 1, report
    # Carol's laptop now shows bob as the owner, and says why her claim lost.
    assert carol.row("customer", cid)["owner_id"] == bob.db.user_id
    why = [c for c in carol.conflicts() if c["row_id"] == cid and c["kind"] == "rejected"]
    assert why and bob.name in why[0]["reason"] and "first" in why[0]["reason"]
    # Her notes are kept: the note edit and the follow-up were applied on the server
    # (three changes pushed, only the claim refused) and stay on her laptop.
    assert report.pushed == 3
    assert carol.row("customer", cid)["notes"] == "老板周五在"
    assert carol.row("activity", visit.id)["subject"] == "拜访"
    assert not carol.db.repos.pool.steps.pending_steps()
    bob.sync()
    assert bob.row("customer", cid)["owner_id"] == bob.db.user_id
    assert bob.row("customer", cid)["notes"] == "老板周五在"  # the owner sees her note


def test_the_previous_owner_waits_before_claiming_back(laptop) -> None:  # noqa: F811
    alice = laptop()
    cid = _pooled(alice, name="苏州纺织")
    alice.db.repos.pool.steps.claim(cid)
    report = alice.sync()
    assert report.rejected == 1
    why = [c for c in alice.conflicts() if c["row_id"] == cid]
    assert "claim it back in 15 days" in why[0]["reason"]
    assert alice.row("customer", cid)["owner_id"] is None


def test_cap_and_reclaim_wait_hold_against_forged_requests(laptop) -> None:  # noqa: F811
    alice, bob, boss = laptop(), laptop(), laptop("manager")
    first = _pooled(alice, bob, boss, name="宁波港机")
    second = _pooled(alice, bob, boss, name="温州电器")
    # A rep cannot write the team's rules (the server refuses and hides it); a manager can.
    bob.db.repos.pool.rules.create({"grade": "*", "cap": 1000})
    report = bob.sync()
    assert report.rejected == 1 and "only a manager" in report.rejections[0]
    rule = boss.db.repos.pool.rules.create({"grade": "*", "cap": 1, "reclaim_days": 15})
    try:
        assert not boss.sync().rejected
        # Forged: the previous owner claims back at once, straight over HTTP.
        (back,) = raw_push(
            alice,
            {
                "entity": "customer",
                "row_id": first,
                "kind": "command",
                "payload": {"command": "claim", "fields": {}},
            },
        )
        assert back.status == "rejected" and "claim it back" in back.reason
        # Forged: clearing the pool fields by a plain patch does not lift the wait.
        raw_push(
            alice,
            {
                "entity": "customer",
                "row_id": first,
                "kind": "patch",
                "payload": {"previous_owner_id": None, "pool_since": None},
            },
        )
        (again,) = raw_push(
            alice,
            {
                "entity": "customer",
                "row_id": first,
                "kind": "command",
                "payload": {"command": "claim", "fields": {}},
            },
        )
        assert again.status == "rejected" and "claim it back" in again.reason
        # Bob may claim one (cap 1), not two, and a forged owner patch changes nothing.
        ok, capped = raw_push(
            bob,
            {
                "entity": "customer",
                "row_id": first,
                "kind": "command",
                "payload": {"command": "claim", "fields": {}},
            },
            {
                "entity": "customer",
                "row_id": second,
                "kind": "command",
                "payload": {"command": "claim", "fields": {}},
            },
        )
        assert ok.status == "applied", ok
        owned_before = _owned(bob)
        assert capped.status == "rejected" and "cap is 1" in capped.reason, capped
        raw_push(
            bob,
            {
                "entity": "customer",
                "row_id": second,
                "kind": "patch",
                "payload": {"owner_id": bob.db.user_id},
            },
        )
        boss.sync()
        assert boss.row("customer", second)["owner_id"] is None
        assert _owned(bob) == owned_before
        # A rep cannot assign or lock; the manager assigns from the pool past the cap.
        (assign,) = raw_push(
            bob,
            {
                "entity": "customer",
                "row_id": second,
                "kind": "command",
                "payload": {"command": "assign", "owner_id": bob.db.user_id},
            },
        )
        assert assert_rejected(assign, "only a manager")
        boss.db.repos.pool.steps.assign(second, bob.db.user_id)
        boss.db.repos.pool.steps.lock(second)
        assert not boss.sync().rejected
        assert not bob.sync().parked
        assert bob.row("customer", second)["owner_id"] == bob.db.user_id
        assert bob.row("customer", second)["locked"] is True
        # A locked customer cannot be released by its rep.
        bob.db.repos.pool.steps.release(second, "too far")
        report = bob.sync()
        assert report.rejected == 1 and "locked" in report.rejections[0]
        assert bob.row("customer", second)["owner_id"] == bob.db.user_id
    finally:
        boss.db.repos.pool.rules.delete(rule.id)
        boss.sync()


def assert_rejected(result, words: str) -> bool:
    return result.status == "rejected" and words in (result.reason or "")


def _owned(lap) -> int:
    lap.sync()
    repo: Repository = lap.db.repos.customers
    return repo.count(where=[repo.model.owner_id == lap.db.user_id])
