"""The quote-to-cash demo data makes the desk panel and the receivables report alive."""

from __future__ import annotations

from crm_tui.reports.period import Period
from crm_tui.services import receivables
from crm_tui.services.book import Book
from crm_tui.services.sales_demo import add_sales_docs


def test_demo_has_paid_partly_paid_and_overdue_instalments(db) -> None:
    book = Book(db)
    for i in range(12):
        c = db.repos.customers.create({"name": f"客户{i}"})
        db.repos.opportunities.create({"customer_id": c.id, "title": f"项目{i}"})
    counts = add_sales_docs(book, deals=12)
    assert counts["products"] == 8 and counts["quotes"] >= 12 and counts["contracts"] >= 5
    states = {
        r[0]
        for r in db.engine.connect().exec_driver_sql(
            "SELECT CASE WHEN settled_on IS NOT NULL THEN 'paid' WHEN paid > 0 THEN 'partly' "
            "ELSE 'open' END FROM payment_plan"
        )
    }
    assert {"paid", "partly", "open"} <= states
    assert receivables.due_at(db.path, book.clock, within_days=7)
    db.set_state("role", "manager")
    report = receivables.build(book, Period.month(2026, 11), team=True)
    assert report.section("by_customer").rows
