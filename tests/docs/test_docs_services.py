"""Quote to cash through the services: deal -> quote -> revision -> accepted -> contract ->
plan -> payments (partial, over) -> confirmed, on a real SQLite file."""

from __future__ import annotations

from datetime import date

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import payments, products, quotes
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
        {
            "opportunity_id": deal.id,
            "product": "无缝钢管",
            "model": "DN50",
            "unit_price": "333.33",
            "quantity": 3,
        }
    )
    return deal


def _manager(db, user_id: str = "mgr-1") -> None:
    db.set_state("user_id", user_id)
    db.set_state("role", "manager")


def test_quote_from_a_deals_lines_revision_and_accept(book: Book, deal) -> None:
    q1 = quotes.new_quote(book, deal.id, tax_rate="13%")
    assert (q1.revision, q1.status, q1.subtotal, q1.tax, q1.total) == (
        1,
        "draft",
        99_999,
        13_000,
        112_999,
    )
    assert q1.valid_until == date(2026, 12, 23)
    quotes.send(book, q1.id)
    q2 = quotes.revise(book, q1.id)
    assert q2.revision == 2 and q2.status == "draft" and q2.total == q1.total
    line = quotes.lines(book, q2.id)[0]
    q2 = quotes.edit_line(book, line.id, {"discount_bp": 1_000})
    assert q2.subtotal == 89_999 and q2.total == 89_999 + 11_700
    # v1 is read-only now: neither accepted nor edited.
    with pytest.raises(ValidationErrors, match="earlier revision is read-only"):
        quotes.accept(book, q1.id)
    with pytest.raises(ValidationErrors, match="read-only"):
        quotes.edit_line(book, quotes.lines(book, q1.id)[0].id, {"quantity": 9})
    with pytest.raises(ValidationErrors, match="a draft quote cannot become accepted"):
        quotes.accept(book, q2.id)
    quotes.send(book, q2.id)
    accepted = quotes.accept(book, q2.id)
    assert accepted.status == "accepted" and accepted.decided_on == date(2026, 11, 23)
    with pytest.raises(ValidationErrors, match="final"):
        quotes.revise(book, q2.id)
    assert [q.revision for q in quotes.of_deal(book, deal.id)] == [1, 2]


def test_quote_from_products_and_the_document_data(book: Book, deal) -> None:
    products.add_product(
        book, {"code": "P-01", "name": "法兰", "model": "PN16", "unit": "个", "list_price": "58.5"}
    )
    line = quotes.product_line(book, "P-01", quantity=10, discount_bp=500)
    quote = quotes.new_quote(book, deal.id, [line], tax_rate=0)
    assert quote.total == 55_575  # 585.00 less 5%
    doc = quotes.document(book, quote.id, company={"name": "华东销售"})
    assert doc.customer == "北京钢管有限公司" and doc.lines[0].unit == "个"
    assert doc.lines[0].discount == "5%" and doc.totals.total == 55_575
    with pytest.raises(ValidationErrors, match="no lines"):
        empty = book.db.repos.opportunities.create({"customer_id": deal.customer_id, "title": "空"})
        quotes.new_quote(book, empty.id)


def test_contract_plan_partial_and_over_payment_then_confirm(book: Book, deal, db) -> None:
    quote = quotes.new_quote(book, deal.id, tax_rate=0)
    quotes.send(book, quote.id)
    with pytest.raises(ValidationErrors, match="accept it first"):
        payments.contract_from_quote(book, quote.id)
    quotes.accept(book, quote.id)
    contract = payments.contract_from_quote(book, quote.id)
    assert contract.amount == 99_999 and contract.number.startswith("HT-2026-P-")
    payments.sign(book, contract.id)
    with pytest.raises(ValidationErrors, match="short of the contract"):
        payments.make_plan(book, contract.id, amounts=["300", "300"])
    assert payments.plan(book, contract.id) == []  # nothing written
    rows = payments.make_plan(book, contract.id, instalments=3, first="2026-12-01", every="1m")
    assert [(p.due_on, p.amount) for p in rows] == [
        (date(2026, 12, 1), 33_333),
        (date(2027, 1, 1), 33_333),
        (date(2027, 2, 1), 33_333),
    ]
    first, second, third = rows
    with pytest.raises(ValidationErrors, match="2026-12-02 is in the future"):
        payments.record_payment(book, first.id, "100", on="2026-12-02")
    assert payments.payments(book, contract.id) == []  # nothing written
    payments.record_payment(book, first.id, "100", on="2026-11-20", method="transfer")
    plan = {p.id: p for p in payments.plan(book, contract.id)}
    assert plan[first.id].paid == 10_000 and plan[first.id].settled_on is None
    # An over-payment on the first instalment fills it and spills into the second.
    payments.record_payment(book, first.id, "400", on="2026-11-22")
    plan = {p.id: p for p in payments.plan(book, contract.id)}
    assert plan[first.id].paid == 33_333 and plan[first.id].settled_on == date(2026, 11, 22)
    assert plan[second.id].paid == 50_000 - 33_333 and plan[third.id].paid == 0
    with pytest.raises(ValidationErrors, match="not an amount"):
        payments.record_payment(book, contract.id, "lots")
    # A rep cannot confirm; a manager can, but never a payment of their own.
    entered = payments.payments(book, contract.id)[0]
    with pytest.raises(ValidationErrors, match="only a manager"):
        payments.confirm(book, entered.id)
    _manager(db)
    confirmed = payments.confirm(book, entered.id)
    assert confirmed.status == "confirmed" and confirmed.confirmed_by == "mgr-1"
    own = payments.record_payment(book, contract.id, "1")
    with pytest.raises(ValidationErrors, match="entered themselves"):
        payments.confirm(book, own.id)
    with pytest.raises(ValidationErrors, match="locked"):
        book.db.repos.docs.payments.update(entered.id, {"amount": "1"})


def test_due_lists_open_and_overdue_instalments(book: Book, deal) -> None:
    contract = payments.contract_for_deal(book, deal.id, "3000", {})
    payments.make_plan(
        book, contract.id, amounts=["1000", "2000"], due=[date(2026, 11, 1), date(2026, 11, 26)]
    )
    due = payments.due(book, within_days=7)
    assert [(d.label, d.state, d.days_overdue, d.outstanding) for d in due] == [
        ("1/2", "overdue", 22, 100_000),
        ("2/2", "open", 0, 200_000),
    ]
    payments.record_payment(book, due[0].plan_id, "1000")
    assert [d.label for d in payments.due(book)] == ["2/2"]
    with pytest.raises(ValidationErrors, match="already has a plan"):
        payments.make_plan(book, contract.id, instalments=2)


def test_an_out_of_date_quote_expires_instead_of_being_accepted(book: Book, deal) -> None:
    quote = quotes.new_quote(book, deal.id, valid_until="2026-11-20")
    quotes.send(book, quote.id)
    with pytest.raises(ValidationErrors, match="expired on 2026-11-20; revise it"):
        quotes.accept(book, quote.id)
    assert quotes.get(book, quote.id).status == "expired"
    fresh = quotes.revise(book, quote.id)
    assert fresh.revision == 2 and fresh.valid_until == date(2026, 12, 23)
