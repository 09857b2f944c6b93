"""Pilot: the customer page's "Quotes & contracts" tab (issue 19) lists the customer's
contracts (number, amount, received, next due) and each deal's latest quote revision
(status, total); `o` shows it, enter opens a quote or a contract, escape comes back."""

from __future__ import annotations

import pytest
from textual.widgets import TabbedContent

from crm_tui.screens.contracts import ContractScreen
from crm_tui.screens.customer_detail import CustomerDetailScreen
from crm_tui.screens.quotes import QuoteScreen
from crm_tui.services import customer_docs, payments, quotes
from crm_tui.services.book import Book
from crm_tui.widgets.record_table import RecordTable
from tests.tui.pilot import row_at, settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


@pytest.fixture
def customer(db):
    """北京钢管: a deal with v1 and v2 of a quote (v2 accepted, then a contract with a plan
    and one payment), a second deal with a draft quote; another customer's quote."""
    book = Book(db)
    acme = db.repos.customers.create({"name": "北京钢管有限公司"})
    pipes = db.repos.opportunities.create({"customer_id": acme.id, "title": "无缝钢管"})
    db.repos.opportunity_lines.create(
        {"opportunity_id": pipes.id, "product": "钢管", "unit_price": "1万", "quantity": 3}
    )
    v1 = quotes.new_quote(book, pipes.id, tax_rate=0)
    quotes.send(book, v1.id)
    v2 = quotes.revise(book, v1.id)
    quotes.send(book, v2.id)
    quotes.accept(book, v2.id)
    contract = payments.new_contract(book, quote_ref=v2.id, signed_on="2026-11-20")
    payments.make_plan(book, contract.id, instalments=3, first="2026-12-01")
    payments.record_payment(book, contract.id, "1万")
    flanges = db.repos.opportunities.create({"customer_id": acme.id, "title": "法兰"})
    db.repos.opportunity_lines.create(
        {"opportunity_id": flanges.id, "product": "法兰", "unit_price": "500", "quantity": 2}
    )
    draft = quotes.new_quote(book, flanges.id, tax_rate=0)
    other = db.repos.customers.create({"name": "上海机电"})
    elsewhere = db.repos.opportunities.create({"customer_id": other.id, "title": "电机"})
    db.repos.opportunity_lines.create(
        {"opportunity_id": elsewhere.id, "product": "电机", "unit_price": "1", "quantity": 1}
    )
    quotes.new_quote(book, elsewhere.id)
    return acme, contract, v2, draft


def test_the_list_is_the_customers_contracts_and_latest_quotes(db, customer) -> None:
    acme, contract, v2, draft = customer
    source = customer_docs.of_customer(Book(db), acme.id)
    rows = source.page(0)
    assert source.count() == 3
    # Contracts first; then one quote per deal (v1 is left out), newest first.
    assert [r["id"] for r in rows][0] == contract.id
    assert {r["id"] for r in rows[1:]} == {v2.id, draft.id}
    first = rows[0]
    assert (first["number"], first["amount"], first["received"], first["next_due"]) == (
        contract.number,
        3_000_000,
        1_000_000,
        "2027-01-01",  # the 1万 received settled the first of three
    )
    by_id = {r["id"]: r for r in rows}
    assert (by_id[v2.id]["number"], by_id[v2.id]["status"]) == ("v2", "accepted")
    assert (by_id[draft.id]["status"], by_id[draft.id]["amount"]) == ("draft", 100_000)


async def test_o_shows_the_tab_and_enter_opens_a_contract_and_a_quote(db, customer) -> None:
    acme, contract, v2, _draft = customer
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), acme.id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        page = app.screen
        await pilot.press("o")
        await settle(pilot)
        assert page.query_one("#tabs", TabbedContent).active == "docs"
        table = page.query_one("#table-docs", RecordTable)
        assert app.focused is table and table.row_count == 3
        await pilot.press("a")  # the page's add has nothing to add here: a hint, no crash
        await pilot.pause()
        assert app.screen is page
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContractScreen) and app.screen.contract_id == contract.id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is page
        rows = [row_at(table, i) for i in range(3)]
        at = next(i for i, r in enumerate(rows) if r and r["id"] == v2.id)
        await pilot.press(*["down"] * at, "enter")
        await settle(pilot)
        assert isinstance(app.screen, QuoteScreen) and app.screen.quote_id == v2.id
