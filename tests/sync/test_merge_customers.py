"""Duplicate customers end to end over a real server: two reps claim one company offline,
everyone sees the clash, the manager merges, and every laptop ends with one customer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.storage.duplicates import clashes, merge_customers
from tests.sync.conftest import Server, crm
from tests.sync.pg import start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module's own: every test here enrols a manager, whose first sync
    pulls the whole team, and the session's shared server holds every other sync test's
    records by then (3.6 s of CPU per test late in a full run; ~0.6 s on a server of its
    own, as test_merge_customers_pg.py measures). Same process and HTTP as the shared one."""
    folder = tmp_path_factory.mktemp("merge-server")
    running = start_server(f"sqlite:///{folder / 'server.db'}", folder)
    yield Server(running.url, running.database_url, running.proc)
    running.stop()


def _clashing_pair(laptop):
    """Alice and Bob each add one company offline, with a contact, a follow-up and a deal.
    (The server is shared by the session: each pair gets its own company name and phone.)"""
    alice, bob, boss = laptop(), laptop(), laptop("manager")
    for lap in (alice, bob, boss):
        lap.sync()  # everyone knows the team members
    tag = uuid.uuid4().hex[:6]
    a = alice.db.repos.customers.create(
        {
            "name": f"Huawei {tag} Co., Ltd.",
            "phone": f"0755 {int(tag, 16) % 10**8:08d}",
            "city": "Shenzhen",
        }
    ).id
    b = bob.db.repos.customers.create(
        {"name": f"HUAWEI {tag.upper()}", "email": f"sales@{tag}.example", "city": "Dongguan"}
    ).id
    made = {
        "contact": bob.db.repos.contacts.create({"customer_id": b, "name": "Li Wei"}).id,
        "activity": bob.db.repos.activities.create(
            {"customer_id": b, "subject": "Call about pumps", "due_at": "tomorrow"}
        ).id,
        "opportunity": bob.db.repos.opportunities.create(
            {"customer_id": b, "title": "40 pumps", "amount": "12000"}
        ).id,
    }
    alice.db.repos.contacts.create({"customer_id": a, "name": "Zhang San"})
    for lap in (alice, bob, alice, boss):
        assert lap.sync().rejected == 0
    return alice, bob, boss, a, b, made


def test_two_reps_claiming_one_company_offline_both_see_the_clash_and_the_manager_too(
    laptop,
) -> None:
    alice, bob, boss, a, b, _ = _clashing_pair(laptop)
    for lap in (alice, bob, boss):
        [clash] = [c for c in clashes(lap.db) if {c.a_id, c.b_id} & {a, b}]
        assert {clash.a_id, clash.b_id} == {a, b}
        assert clash.matched == ("name",)
        assert {clash.a_owner, clash.b_owner} == (
            {"you", bob.name}
            if lap is alice
            else {alice.name, "you"}
            if lap is bob
            else {
                alice.name,
                bob.name,
            }
        )
    listed = crm("--db", str(boss.path), "duplicates")
    assert listed.exit_code == 0, listed.output
    names = {boss.row("customer", a)["name"], boss.row("customer", b)["name"]}
    assert all(name in listed.output for name in names)
    assert alice.name in listed.output and bob.name in listed.output and "name" in listed.output


def test_the_manager_merges_and_every_laptop_ends_with_one_customer(laptop) -> None:
    alice, bob, boss, a, b, made = _clashing_pair(laptop)
    loser_name, loser_email = boss.row("customer", b)["name"], boss.row("customer", b)["email"]
    merged = crm("--db", str(boss.path), "merge", b[:18], "--into", a[:18])
    assert merged.exit_code == 0, merged.output
    assert "Merge queued" in merged.output
    assert [c.merge_queued for c in clashes(boss.db) if c.a_id in (a, b)] == [True]
    report = boss.sync()
    assert report.rejected == 0
    for lap in (alice, bob, boss):
        lap.sync()
        assert lap.row("customer", b)["deleted"] is True
        survivor = lap.row("customer", a)
        assert survivor["deleted"] is False
        # empty fields filled from the loser, nothing overwritten, the rest in the notes
        assert survivor["email"] == loser_email
        assert survivor["city"] == "Shenzhen"
        assert "city: Dongguan" in survivor["notes"] and loser_name in survivor["notes"]
        assert not [c for c in clashes(lap.db) if {c.a_id, c.b_id} & {a, b}]
        assert lap.db.repos.customers.get(b) is None  # gone from every list
        # The session server holds other tests' contacts too: read them all.
        contacts = lap.db.repos.contacts.page(limit=100_000)
        assert {c.name for c in contacts if c.customer_id == a} == {"Li Wei", "Zhang San"}
    for entity, row_id in made.items():  # bob's follow-up and deal are his, on his laptop
        assert bob.row(entity, row_id)["customer_id"] == a
        assert boss.row(entity, row_id)["customer_id"] == a
    assert alice.row("contact", made["contact"])["customer_id"] == a
    assert alice.row("activity", made["activity"]) is None  # still bob's, not alice's


def test_a_rep_cannot_merge_and_is_told_why(laptop) -> None:
    alice, bob, boss, a, b, _ = _clashing_pair(laptop)
    refused = crm("--db", str(alice.path), "merge", b, "--into", a)
    assert refused.exit_code != 0
    assert "only a manager can merge" in refused.output
    with pytest.raises(ValidationErrors):
        merge_customers(alice.db, b, a)
    # A forged command (bypassing the laptop's check) is refused by the server, with a reason.
    with alice.db.transaction() as s:
        alice.db.append_outbox(
            s,
            entity="customer",
            row_id=b,
            kind="command",
            payload={"command": "merge", "into": a},
            base_version=1,
            hlc=alice.db.tick(s),
        )
    report = alice.sync()
    assert report.rejected == 1
    assert "only a manager can merge" in report.rejections[0]
    assert alice.row("customer", b)["deleted"] is False
    boss.sync()
    assert len([c for c in clashes(boss.db) if {c.a_id, c.b_id} == {a, b}]) == 1


def test_a_follow_up_made_offline_against_the_merged_customer_lands_on_the_survivor(
    laptop,
) -> None:
    alice, bob, boss, a, b, _ = _clashing_pair(laptop)
    late = bob.db.repos.activities.create(
        {"customer_id": b, "subject": "Visit after the fair", "due_at": "fri"}
    ).id  # bob is offline: he has not heard of the merge
    contact = bob.db.repos.contacts.create({"customer_id": b, "name": "Chen Jie"}).id
    merge_customers(boss.db, b, a)
    boss.sync()
    report = bob.sync()
    assert report.rejected == 0
    assert bob.row("activity", late)["customer_id"] == a
    assert bob.row("contact", contact)["customer_id"] == a
    boss.sync()
    alice.sync()
    assert boss.row("activity", late)["customer_id"] == a
    assert alice.row("contact", contact)["customer_id"] == a


def test_reassign_from_the_command_line(laptop) -> None:
    alice, bob, boss, a, b, made = _clashing_pair(laptop)
    refused = crm("--db", str(alice.path), "reassign", "customer", b, "--to", alice.name)
    assert refused.exit_code != 0 and "only a manager" in refused.output
    done = crm("--db", str(boss.path), "reassign", "customer", b, "--to", alice.name)
    assert done.exit_code == 0, done.output
    boss.sync()
    alice.sync()
    assert alice.row("customer", b)["owner_id"] == alice.db.user_id
    unknown = crm("--db", str(boss.path), "reassign", "customer", b, "--to", "nobody-here")
    assert unknown.exit_code != 0 and "nobody-here" in unknown.output


@pytest.mark.anyio
async def test_both_reps_and_the_manager_see_the_clash_in_the_app(laptop) -> None:
    from textual.widgets import DataTable

    from crm_tui.app import make_app
    from crm_tui.screens.duplicates import DuplicatesScreen
    from crm_tui.screens.palette import commands
    from tests.tui.pilot import settle

    alice, bob, boss, a, b, _ = _clashing_pair(laptop)
    names = {boss.row("customer", a)["name"], boss.row("customer", b)["name"]}
    for lap in (alice, bob, boss):
        app = make_app(lap.db)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            [open_view] = [c for c in commands() if c.title == "Duplicates"]
            open_view.run(app)
            await settle(pilot)
            assert isinstance(app.screen, DuplicatesScreen)
            table = app.screen.query_one(DataTable)
            rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
            assert [r for r in rows if {r[0], r[2]} == names]
            assert app.screen.check_action("merge", (False,)) is (lap is boss)


def test_two_managers_merging_the_pair_both_ways_offline_end_with_one_customer(laptop) -> None:
    alice, bob, boss, a, b, made = _clashing_pair(laptop)
    other_boss = laptop("manager")
    other_boss.sync()
    merge_customers(boss.db, b, a)  # keep a
    merge_customers(other_boss.db, a, b)  # offline, the other way round: keep b
    assert boss.sync().rejected == 0
    assert other_boss.sync().rejected == 0  # already one customer: nothing more to do
    for lap in (alice, bob, boss, other_boss):
        lap.sync()
        assert lap.row("customer", b)["deleted"] is True
        assert lap.row("customer", a)["deleted"] is False
    assert bob.row("activity", made["activity"])["customer_id"] == a
