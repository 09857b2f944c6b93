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


def test_undo_of_a_payment_is_one_step_and_puts_the_instalment_back(book: Book, deal, db) -> None:
    contract = payments.new_contract(book, deal_ref=deal.id, amount="3万", signed_on="2026-11-01")
    inst = payments.make_plan(book, contract.id, instalments=1)[0]
    payments.record_payment(book, inst.id, "3万")
    assert payments.plan(book, contract.id)[0].paid == 30_000_00
    said = db.repos.undo_last()
    assert said is not None and said.startswith("undid added payment")
    assert "None" not in said  # a payment with no bank reference is named by its id
    assert payments.payments(book, contract.id) == []
    row = payments.plan(book, contract.id)[0]
    assert (row.paid, row.settled_on) == (0, None)
    # The next undo is the plan's, not the payment's instalment figures.
    assert (db.repos.undo_last() or "").startswith("undid added payment plan '1/1'")


def test_an_over_payment_is_named(book: Book, deal) -> None:
    contract = payments.new_contract(book, deal_ref=deal.id, amount="3万")
    payments.record_payment(book, contract.id, "2万")
    assert payments.overpaid(book, contract.id) == 0
    with pytest.raises(payments.Overpayment, match="¥10,000.00 still outstanding"):
        payments.record_payment(book, contract.id, "3万")
    payments.record_payment(book, contract.id, "3万", force=True)
    assert payments.overpaid(book, contract.number) == 20_000_00


def test_signing_a_contract_wins_its_deal(book: Book, deal, db) -> None:
    assert deal.stage != "won"
    contract = payments.new_contract(book, deal_ref=deal.id, amount="9万")
    payments.sign(book, contract.id, "2026-11-20")
    won = db.repos.opportunities.require(deal.id)
    assert (won.stage, won.closed_on.isoformat(), won.amount) == ("won", "2026-11-20", 90_000_00)
    # A second contract on a won deal leaves it as it is.
    other = payments.new_contract(book, deal_ref=deal.id, amount="1万", signed_on="2026-11-22")
    assert other.status == "signed"
    again = db.repos.opportunities.require(deal.id)
    assert (again.closed_on.isoformat(), again.amount) == ("2026-11-20", 90_000_00)


def test_a_payment_has_a_readable_name(book: Book, deal, db) -> None:
    contract = payments.new_contract(book, deal_ref=deal.id, amount="3万")
    made = payments.record_payment(book, contract.id, "3万", on="2026-11-03")
    assert db.repos.docs.payments.describe(made) == "¥30,000.00 on 2026-11-03"
