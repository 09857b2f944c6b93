"""The fresh-eyes review of quote to cash (issue 19): one contract per accepted quote, the
provisional number still finds the contract after sync, pay is one undo step, an
over-payment is named, and signing wins the deal."""

from __future__ import annotations

import sqlite3

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import payments, quotes
from crm_tui.services.book import Book


@pytest.fixture
def book(db) -> Book:
    return Book(db)


@pytest.fixture
def deal(db):
    acme = db.repos.customers.create({"name": "北京钢管有限公司"})
    deal = db.repos.opportunities.create(
        {"customer_id": acme.id, "title": "无缝钢管 2027", "amount": "12万"}
    )
    db.repos.opportunity_lines.create(
        {"opportunity_id": deal.id, "product": "钢管", "unit_price": "10000", "quantity": 3}
    )
    return deal


def _accepted(book: Book, deal) -> str:
    quote = quotes.new_quote(book, deal.id)
    quotes.send(book, quote.id)
    quotes.accept(book, quote.id)
    return quote.id


def test_a_quote_makes_one_contract(book: Book, deal, db) -> None:
    quote_id = _accepted(book, deal)
    first = payments.new_contract(book, quote_ref=quote_id)
    with pytest.raises(ValidationErrors, match=f"already has contract {first.number}"):
        payments.new_contract(book, quote_ref=quote_id)
    assert len(db.repos.docs.contracts.of_deal(deal.id)) == 1


def test_the_provisional_number_still_finds_the_contract_after_sync(book: Book, deal, db) -> None:
    contract = payments.new_contract(book, deal_ref=deal.id, amount="3万")
    provisional = contract.number
    assert payments.is_provisional(provisional)
    # What applying the server's renumbering does to the row.
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE contract SET number = 'HT-2026-0001' WHERE id = ?", (contract.id,))
    assert payments.get_contract(book, "HT-2026-0001").id == contract.id
    assert payments.get_contract(book, provisional).id == contract.id
    assert payments.get_contract(book, provisional.lower()).id == contract.id
