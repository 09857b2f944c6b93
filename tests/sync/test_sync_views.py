"""The sync parts of the app, driven with Pilot over laptops signed in to the real server:
the conflicts view (yours / theirs / who / why, restore yours), the manager's approvals,
background and on-demand sync with the status line."""

from __future__ import annotations

import contextlib
import time

import pytest
from textual.widgets import DataTable, Input
from textual.worker import WorkerCancelled, WorkerFailed

from crm_tui.app import make_app
from crm_tui.screens.approvals import ApprovalsScreen
from crm_tui.screens.conflicts import ConflictsScreen
from crm_tui.screens.palette import commands
from crm_tui.sync.client import Login, load_login, save_login
from crm_tui.widgets.status_bar import StatusBar

pytestmark = pytest.mark.anyio


async def settle(pilot) -> None:  # noqa: ANN001
    """Let workers finish (a failed sync is reported by the app, not raised here; a desk
    reload superseded by a newer one is cancelled, which is not a failure either)."""
    for _ in range(3):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def run_command(app, title: str) -> None:  # noqa: ANN001
    [command] = [c for c in commands() if c.title == title]
    command.run(app)


def cells(screen) -> list[list[str]]:  # noqa: ANN001
    table = screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def status_text(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one(StatusBar).render())


async def test_conflicts_view_shows_yours_and_theirs_and_restores_yours(laptop) -> None:
    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Cobalt", "city": "Xi'an"}).id
    alice.sync()
    bob.sync()
    bob.db.repos.customers.update(cid, {"city": "Chengdu"})  # older: loses
    time.sleep(0.005)
    alice.db.repos.customers.update(cid, {"city": "Wuhan"})
    alice.sync()
    bob.sync()
    app = make_app(bob.db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "1 to review" in status_text(app)
        run_command(app, "Conflicts")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        [row] = cells(app.screen)
        assert row[:5] == ["customer: Cobalt", "city", "Chengdu", "Wuhan", alice.name]
        assert row[6] == "yours lost"
        await pilot.press("r")
        await settle(pilot)
        assert cells(app.screen) == []
        assert bob.row("customer", cid)["city"] == "Chengdu"
        assert bob.db.pending_changes() == 1  # a new change, synced like any edit
        assert "to review" not in status_text(app)
    bob.sync()
    alice.sync()
    assert alice.row("customer", cid)["city"] == "Chengdu"


async def test_a_refused_change_shows_why_and_cannot_be_forced_back(laptop) -> None:
    rep, boss = laptop(), laptop("manager")
    eid = rep.db.repos.expenses.create(
        {"spent_on": "2026-11-20", "amount": "320", "category": "meals", "description": "dinner"}
    ).id
    rep.db.repos.expenses.submit(eid)
    rep.sync()
    boss.sync()
    boss.db.repos.expenses.approve(eid, note="ok")
    boss.sync()
    rep.db.repos.expenses.withdraw(eid)
    rep.db.repos.expenses.update(eid, {"amount": "999"})
    rep.sync()
    app = make_app(rep.db)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        run_command(app, "Conflicts")
        await settle(pilot)
        rows = cells(app.screen)
        amount = [r for r in rows if r[1] == "amount"]
        assert amount and amount[0][2] == "99900" and amount[0][6] == "refused by the server"
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=rows.index(amount[0]))
        await pilot.pause()
        assert "why:" in str(app.screen.query_one("#conflict-detail").render())
        await pilot.press("r")  # the claim is approved: locked, so the value stays in the log
        await settle(pilot)
        assert len(cells(app.screen)) == len(rows)
        assert rep.row("expense", eid)["amount"] == 32000


async def test_manager_approves_in_the_app_and_the_rep_sees_it(laptop) -> None:
    rep, boss = laptop(), laptop("manager")
    eid = rep.db.repos.expenses.create(
        {"spent_on": "2026-11-21", "amount": "88", "category": "travel", "description": "taxi"}
    ).id
    rep.db.repos.expenses.submit(eid)
    rep.sync()
    boss.sync()
    app = make_app(boss.db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # the app's own background sync ran at start
        run_command(app, "Approvals")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        rows = cells(app.screen)  # other tests' reps may have claims waiting too
        [mine] = [i for i, r in enumerate(rows) if r[1] == rep.name]
        assert rows[mine][5] == "taxi"
        app.screen.query_one(DataTable).move_cursor(row=mine)
        await pilot.pause()
        await pilot.press("x")  # reject needs a note: empty is refused in the dialog
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "why" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = "fine"
        await pilot.press("enter")
        await settle(pilot)
        assert len(cells(app.screen)) == len(rows) - 1
        await pilot.press("ctrl+r")  # sync now
        await settle(pilot)
        assert boss.db.pending_changes() == 0
        assert "online · synced" in status_text(app)
    rep.sync()
    row = rep.row("expense", eid)
    assert (row["status"], row["decision_note"]) == ("approved", "fine")


async def test_a_rep_has_no_approvals_to_make(laptop) -> None:
    rep = laptop()
    app = make_app(rep.db)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        run_command(app, "Approvals")
        await settle(pilot)
        summary = str(app.screen.query_one("#approvals-summary").render())
        assert "for managers" in summary
        assert app.screen.check_action("approve", ()) is False


async def test_background_sync_at_start_and_offline_keeps_working(laptop) -> None:
    alice = laptop()
    alice.db.repos.customers.create({"name": "Offline First"})
    app = make_app(alice.db)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert alice.db.pending_changes() == 0  # synced in the background at start
        assert "online · synced" in status_text(app)
        login = load_login(alice.path)
        save_login(alice.path, Login("http://127.0.0.1:9", login.token, login.device_id))
        alice.db.repos.customers.create({"name": "Made Offline"})
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "offline" in status_text(app) and "1 pending" in status_text(app)
        await pilot.press("2")  # the app stays usable offline
        await settle(pilot)
        assert app.screen.__class__.__name__ == "CustomersScreen"


def test_when_your_newer_value_won_the_view_says_so_and_offers_no_restore(laptop) -> None:
    from crm_tui.screens.conflicts import load_conflicts, restore_yours
    from crm_tui.services.book import Book

    alice, bob = laptop(), laptop()
    cid = alice.db.repos.customers.create({"name": "Dynamo"}).id
    alice.sync()
    bob.sync()
    alice.db.repos.customers.update(cid, {"city": "Harbin"})
    time.sleep(0.005)
    bob.db.repos.customers.update(cid, {"city": "Dalian"})  # newer, pushed second: wins
    alice.sync()
    bob.sync()
    [view] = load_conflicts(Book(bob.db))
    assert (view.yours, view.theirs, view.outcome, view.who) == (
        "Dalian",
        "Harbin",
        "yours won",
        alice.name,
    )
    with pytest.raises(ValueError, match="nothing to restore"):
        restore_yours(Book(bob.db), view)


def test_a_rejection_with_a_note_reaches_the_rep(laptop) -> None:
    from crm_tui.services.book import Book
    from crm_tui.services.expenses import decide, submitted_claims

    rep, boss = laptop(), laptop("manager")
    eid = rep.db.repos.expenses.create(
        {"spent_on": "2026-11-22", "amount": "1200", "category": "gifts", "description": "tea"}
    ).id
    rep.db.repos.expenses.submit(eid)
    rep.sync()
    boss.sync()
    assert eid in {c.id for c in submitted_claims(Book(boss.db))}
    assert eid not in {c.id for c in submitted_claims(Book(rep.db))}  # not the rep's own queue
    with pytest.raises(ValueError, match="why"):
        decide(Book(boss.db), eid, approve=False, note="  ")
    decide(Book(boss.db), eid, approve=False, note="no receipt")
    boss.sync()
    rep.sync()
    row = rep.row("expense", eid)
    assert (row["status"], row["decision_note"]) == ("rejected", "no receipt")
