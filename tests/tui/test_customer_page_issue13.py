"""Pilot tests for issue 13 on the customer page and the reports screen: enter on a deal or a
follow-up opens the record (not an edit form), the page can open with the cursor on one
row (item 15), and the screens say deal and claim, not opportunity and expense (item 11)."""

from __future__ import annotations

import pytest
from textual.widgets import TabbedContent

from crm_tui.screens.customer_detail import CustomerDetailScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.reports import ReportsScreen
from crm_tui.services.book import Book
from crm_tui.widgets.record_table import RecordTable
from tests.tui.pilot import row_at, settle

from .support_b import Host, make_db

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


async def test_enter_on_a_deal_opens_the_deal_and_shift_e_edits_it(tmp_path):
    db = make_db(tmp_path)
    acme = db.repos.customers.resolve("Acme Steel")
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id, tab="deals"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#table-deals", RecordTable)
        first = row_at(table, 0)
        await pilot.press("enter")
        await pilot.pause()
        assert app.opened == [("opportunity", str(first["id"]))]
        assert not isinstance(app.screen, RecordForm)
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert app.screen.form_title == "Edit deal"


async def test_the_page_opens_with_the_cursor_on_the_given_row(tmp_path):
    db = make_db(tmp_path)
    acme = db.repos.customers.resolve("Acme Steel")
    valve = db.repos.opportunities.resolve("Valve retrofit")
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id, tab="deals", row_id=valve.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#table-deals", RecordTable)
        assert table.cursor_row != 0 or row_at(table, 0)["id"] == valve.id
        assert str(table.current_row["id"]) == valve.id
        assert app.focused is table


async def test_the_customer_page_and_reports_say_claims_and_deals(tmp_path):
    db = make_db(tmp_path)
    acme = db.repos.customers.resolve("Acme Steel")
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id, tab="expenses"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tabs = app.screen.query_one("#tabs", TabbedContent)
        labels = [str(tab.label) for tab in tabs.query("Tab")]
        assert any(label.startswith("Claims") for label in labels)
        assert not any("Expense" in label for label in labels)
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.form_title == "New claim"

    app = Host(db, ReportsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tabs = app.screen.query_one(TabbedContent)
        labels = " ".join(str(tab.label) for tab in tabs.query("Tab"))
        assert "Deals" in labels and "Claims" in labels
        assert "Opportunit" not in labels and "Expense" not in labels
