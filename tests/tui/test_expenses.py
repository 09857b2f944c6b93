"""Pilot tests for the expenses screen: new claim, submit, withdraw, locked claims."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from crm_tui.screens.expenses import ExpensesScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import ConfirmScreen
from tests.tui.pilot import row_at

from .pilot import settle
from .support_b import Host, make_db

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


async def start(pilot, app) -> ExpensesScreen:
    await settle(pilot)
    assert isinstance(app.screen, ExpensesScreen)
    return app.screen


async def select(pilot, screen: ExpensesScreen, description: str) -> None:
    table = screen.table
    for index in range(table.row_count):
        row = row_at(table, index)
        if row and row["description"] == description:
            table.cursor_row = index
            await pilot.pause()
            return
    raise AssertionError(description)


def totals(screen: ExpensesScreen) -> str:
    return str(screen.query_one("#expense-totals", Static).render())


async def test_submit_asks_first_then_locks_and_withdraw_unlocks(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, ExpensesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        assert "draft 2 ¥748.50" in totals(screen)
        await select(pilot, screen, "Hotel")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert db.repos.expenses.resolve("Hotel").status == "draft"
        await pilot.press("s", "y")
        await settle(pilot)
        assert db.repos.expenses.resolve("Hotel").status == "submitted"
        assert "submitted 2 ¥880.00" in totals(screen)
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
        assert any("locked" in n.message for n in app._notifications)
        await pilot.press("w")
        await pilot.pause()
        assert db.repos.expenses.resolve("Hotel").status == "draft"
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
    kinds = [row["kind"] for row in db.outbox_rows()]
    assert kinds.count("command") == 3  # the seed's submit, then submit and withdraw here


async def test_new_claim_checks_the_receipt_file(tmp_path):
    db = make_db(tmp_path)
    receipt = tmp_path / "taxi.pdf"
    app = Host(db, ExpensesScreen)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.query_one("#f-spent_on", Input).value == "2026-11-23"
        form.query_one("#f-amount", Input).value = "86"
        form.query_one("#f-description", Input).value = "Taxi"
        form.query_one("#f-receipt", Input).value = str(receipt)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "no file at" in str(form.query_one("#note-receipt", Static).render())
        receipt.write_bytes(b"%PDF")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
    claim = db.repos.expenses.resolve("Taxi")
    # The scan is a file on the claim (it syncs to the approver), the claim keeps its name.
    assert (claim.amount, claim.status, claim.receipt) == (8600, "draft", "taxi.pdf")
    from crm_tui.services import files
    from crm_tui.services.book import Book

    [scan] = files.receipts_of(Book(db), claim.id)
    assert files.open_path(Book(db), scan.id).read_bytes() == b"%PDF"


async def test_withdraw_only_applies_to_submitted_claims(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, ExpensesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await select(pilot, screen, "Hotel")
        await pilot.press("w")
        await pilot.pause()
        assert any("Only a submitted claim" in n.message for n in app._notifications)
    assert db.repos.expenses.resolve("Hotel").status == "draft"


async def test_a_claim_for_a_deal_is_booked_to_the_deals_customer(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, ExpensesScreen)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-amount", Input).value = "1200"
        form.query_one("#f-description", Input).value = "Dinner"
        form.query_one("#f-opportunity_id Input", Input).focus()
        await pilot.press(*"Flange")
        await pilot.pause()
        await pilot.press("enter", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExpensesScreen)
    claim = db.repos.expenses.resolve("Dinner")
    deal = db.repos.opportunities.resolve("Flange supply")
    assert (claim.opportunity_id, claim.customer_id) == (deal.id, deal.customer_id)


async def test_s_submits_the_highlighted_claim_or_says_why_not(tmp_path):
    """Issue 13 item 18: `s` acts on the highlighted claim in a filtered list too; on a claim
    it cannot submit, or with no claim highlighted, it says why."""
    db = make_db(tmp_path)
    app = Host(db, ExpensesScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await pilot.press("slash", *"status:draft", "enter")
        await settle(pilot)
        assert screen.table.row_count == 2
        await pilot.press("end")
        await pilot.pause()
        highlighted = row_at(screen.table, screen.table.cursor_row)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert db.repos.expenses.require(highlighted["id"]).status == "submitted"
        await pilot.press("slash", "ctrl+u", *"status:submitted", "enter")
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("this one is submitted" in n.message for n in app._notifications)
        await pilot.press("slash", "ctrl+u", *"status:reimbursed", "enter")
        await settle(pilot)
        assert screen.table.row_count == 0
        await pilot.press("s")
        await pilot.pause()
        assert any("the list is empty" in n.message for n in app._notifications)
