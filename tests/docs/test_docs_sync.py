"""Through a real `crm server`: a rep records a payment offline, a manager confirms it
(a server-checked command), the rep sees it confirmed; the contract's provisional number
is replaced by the server's."""

from __future__ import annotations

import pytest

from crm_tui.services import payments, products
from crm_tui.services.book import Book
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

server = sqlite_server("docs")


def test_manager_confirms_a_payment_a_rep_made_offline(laptop) -> None:  # noqa: F811
    rep, boss = laptop(), laptop("manager")
    rep_book, boss_book = Book(rep.db), Book(boss.db)
    acme = rep.db.repos.customers.create({"name": "上海机电"})
    deal = rep.db.repos.opportunities.create({"customer_id": acme.id, "title": "电机"})
    contract = payments.new_contract(
        rep_book, deal_ref=deal.id, amount="3万", signed_on="2026-11-20"
    )
    assert contract.number.startswith("HT-2026-P-")
    first, _second = payments.make_plan(rep_book, contract.id, instalments=2)
    # Offline: nothing is sent until the rep syncs.
    paid = payments.record_payment(rep_book, first.id, "1万", method="transfer")
    report = rep.sync()
    assert not report.rejected, report
    numbered = rep.row("contract", contract.id)
    assert numbered["number"].startswith("HT-2026-0") and "-P-" not in numbered["number"]
    # The next contract of the year takes the next number.
    second = payments.new_contract(
        rep_book, deal_ref=deal.id, amount="1000", signed_on="2026-11-21"
    )
    rep.sync()
    seq = int(numbered["number"].rsplit("-", 1)[1])
    assert rep.row("contract", second.id)["number"] == f"HT-2026-{seq + 1:04d}"

    boss.sync()
    # A rep cannot confirm (the laptop refuses; so would the server).
    with pytest.raises(Exception, match="only a manager"):
        payments.confirm(rep_book, paid.id)
    payments.confirm(boss_book, paid.id)
    report = boss.sync()
    assert not report.rejected, report
    rep.sync()
    seen = rep.row("payment", paid.id)
    assert seen["status"] == "confirmed"
    assert seen["confirmed_by"] == boss.db.user_id and seen["confirmed_at"] is not None


def test_server_refuses_a_rep_confirming_or_a_forged_status(laptop) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    rep = laptop()
    book = Book(rep.db)
    acme = rep.db.repos.customers.create({"name": "广州物流"})
    deal = rep.db.repos.opportunities.create({"customer_id": acme.id, "title": "叉车"})
    contract = payments.new_contract(book, deal_ref=deal.id, amount="1000")
    paid = payments.record_payment(book, contract.id, "100")
    rep.sync()
    confirm, forged = raw_push(
        rep,
        {
            "entity": "payment",
            "row_id": paid.id,
            "kind": "command",
            "payload": {"command": "confirm", "fields": {}},
        },
        {
            "entity": "payment",
            "row_id": paid.id,
            "kind": "patch",
            "payload": {"status": "confirmed"},
        },
    )
    assert confirm.status == "rejected" and "only a manager" in (confirm.reason or "")
    assert forged.status == "rejected"


def test_contracts_are_the_owners_and_managers_products_the_teams(laptop) -> None:  # noqa: F811
    alice, bob, boss = laptop(), laptop(), laptop("manager")
    book = Book(alice.db)
    acme = alice.db.repos.customers.create({"name": "深圳电子"})
    deal = alice.db.repos.opportunities.create({"customer_id": acme.id, "title": "板卡"})
    contract = payments.new_contract(book, deal_ref=deal.id, amount="2000")
    product = products.add_product(book, {"code": "PCB-1", "name": "主板", "list_price": "99"})
    alice.sync()
    bob.sync()
    boss.sync()
    assert bob.row("contract", contract.id) is None
    assert boss.row("contract", contract.id)["amount"] == 200_000
    assert bob.row("product", product.id)["name"] == "主板"
