"""A rep whose synced value is later overwritten by a newer concurrent edit is told on her
next pull (the loser of a conflict where the winner syncs last), through a real server."""

from __future__ import annotations

import time


def _edit_both(alice, bob, cid: str) -> None:
    """Alice edits first (older clock), Bob later (newer clock), both offline."""
    alice.db.repos.customers.update(cid, {"city": "Kunming"})
    time.sleep(0.005)
    bob.db.repos.customers.update(cid, {"city": "Xiamen"})


def test_the_older_edit_synced_first_is_told_when_the_newer_one_wins(laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "北辰贸易"}).id
    alice.sync()
    bob.sync()
    _edit_both(alice, bob, cid)
    alice.sync()  # accepted: the server holds Kunming
    assert bob.sync().conflicts == 1  # Bob's newer value wins; he is told he overwrote
    assert [c["winning_value"] for c in bob.conflicts()] == ["Xiamen"]
    assert alice.conflicts() == []
    assert alice.sync().conflicts == 1  # counted in her sync's summary
    assert alice.row("customer", cid)["city"] == "Xiamen"
    [lost] = alice.conflicts()
    assert lost["entity"] == "customer" and lost["row_id"] == cid
    assert lost["field"] == "city"
    assert lost["losing_value"] == "Kunming" and lost["winning_value"] == "Xiamen"
    assert lost["who"] == bob.name
    assert lost["losing_hlc"] < lost["winning_hlc"]
    # Told once: a further sync brings no second entry, and Bob gets none for himself.
    alice.sync()
    bob.sync()
    assert len(alice.conflicts()) == 1 and len(bob.conflicts()) == 1


def test_the_case_already_handled_is_not_told_twice(laptop) -> None:
    """The newer edit syncs first: the older push meets the conflict (as before) and the
    newer rep gets nothing on her pull."""
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Polaris"}).id
    alice.sync()
    bob.sync()
    _edit_both(alice, bob, cid)
    bob.sync()
    alice.sync()
    bob.sync()
    [lost] = alice.conflicts()
    assert (lost["losing_value"], lost["winning_value"]) == ("Kunming", "Xiamen")
    assert bob.conflicts() == []


def test_a_rep_who_overwrites_her_own_value_is_not_told(laptop) -> None:
    alice = laptop()
    cid = alice.db.repos.customers.create({"name": "Quasar", "city": "Hefei"}).id
    alice.sync()
    alice.db.repos.customers.update(cid, {"city": "Kunming"})
    alice.sync()
    alice.db.repos.customers.update(cid, {"city": "Xiamen"})
    alice.sync()
    alice.sync()
    assert alice.conflicts() == []


def test_a_later_edit_made_after_seeing_the_value_is_not_a_conflict(laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Vega"}).id
    alice.sync()
    bob.sync()
    alice.db.repos.customers.update(cid, {"city": "Kunming"})
    alice.sync()
    bob.sync()  # Bob has seen Kunming
    bob.db.repos.customers.update(cid, {"city": "Xiamen"})
    bob.sync()
    alice.sync()
    assert alice.row("customer", cid)["city"] == "Xiamen"
    assert alice.conflicts() == [] and bob.conflicts() == []


def test_the_loser_sees_it_in_the_view_and_cli_and_can_restore_it(laptop) -> None:
    import json

    from crm_tui.screens.conflicts import load_conflicts, restore_yours
    from crm_tui.services.book import Book
    from tests.sync.conftest import crm

    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "天枢"}).id
    alice.sync()
    bob.sync()
    _edit_both(alice, bob, cid)
    alice.sync()
    bob.sync()
    alice.sync()
    [view] = load_conflicts(Book(alice.db))
    assert (view.yours, view.theirs, view.who, view.yours_lost) == (
        "Kunming",
        "Xiamen",
        bob.name,
        True,
    )
    listed = crm("--db", str(alice.path), "conflicts", "--format", "json")
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert (row["field"], row["lost"], row["kept"], row["who"]) == (
        "city",
        "Kunming",
        "Xiamen",
        bob.name,
    )
    restore_yours(Book(alice.db), view)
    alice.sync()
    bob.sync()
    assert alice.row("customer", cid)["city"] == bob.row("customer", cid)["city"] == "Kunming"
    assert load_conflicts(Book(alice.db)) == []


def test_a_manager_overwritten_on_a_reps_deal_is_told(laptop) -> None:
    """A row in the rep's own partition: the manager (who reads it as a manager) is told."""
    rep, boss = laptop(), laptop("manager")
    cid = rep.db.repos.customers.create({"name": "Orion"}).id
    oid = rep.db.repos.opportunities.create({"customer_id": cid, "title": "50 pumps"}).id
    rep.sync()
    boss.sync()
    boss.db.repos.opportunities.update(oid, {"title": "60 pumps"})
    time.sleep(0.005)
    rep.db.repos.opportunities.update(oid, {"title": "80 pumps"})
    boss.sync()
    rep.sync()
    boss.sync()
    [lost] = boss.conflicts()
    assert (lost["field"], lost["losing_value"], lost["winning_value"], lost["who"]) == (
        "title",
        "60 pumps",
        "80 pumps",
        rep.name,
    )
    assert boss.row("opportunity", oid)["title"] == "80 pumps"


def test_a_laptop_that_does_not_ask_for_notices_is_not_sent_them(laptop) -> None:
    """A laptop of the previous release (no `notices` on its pull) refuses a page holding an
    op it does not know: it gets the rows only; one that asks gets the notice too."""
    from crm_tui.sync.protocol import PULL_NOTICES_PARAM

    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Lyra"}).id
    alice.sync()
    bob.sync()
    _edit_both(alice, bob, cid)
    alice.sync()
    bob.sync()

    def ops(**extra: str) -> list[str]:
        # Every page: the session's server holds other tests' changes before these.
        found, after = [], 0
        with alice.client() as client:
            while True:
                params = {"after": after, "limit": 500, **extra}
                body = client._request("GET", "/sync/pull", params=params).json()
                found += [c["op"] for c in body["changes"] if c["row_id"] == cid]
                after = body["cursor"]
                if not body["has_more"]:
                    return found

    assert "conflict" not in ops()
    assert ops(**{PULL_NOTICES_PARAM: "true"}).count("conflict") == 1
