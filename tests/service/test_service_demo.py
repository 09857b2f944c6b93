"""The after-sales demo makes the Service screen and the report alive: installs after won
deals, quarterly maintenance plans with past visits, repeat repairs, requests waiting."""

from __future__ import annotations

from datetime import date

from crm_tui.reports.period import Period
from crm_tui.services import service_orders, service_stats
from crm_tui.services.book import Book
from crm_tui.services.service_demo import add_service


def test_demo_service_history(db) -> None:
    book = Book(db)
    for i in range(40):
        c = db.repos.customers.create({"name": f"客户{i}"})
        deal = db.repos.opportunities.create({"customer_id": c.id, "title": f"设备{i}"})
        closed = date(2025, 6, 1 + i % 28)
        db.repos.opportunities.update(deal.id, {"stage": "won", "closed_on": closed})
    counts = add_service(book)
    assert counts["plans"] >= 5 and counts["engineers"] == 3 and counts["orders"] >= 60
    with db.engine.connect() as conn:
        sql = "SELECT kind, COUNT(*) FROM service WHERE deleted = 0 GROUP BY kind"
        rows = {kind: n for kind, n in conn.exec_driver_sql(sql)}
    assert rows["install"] == 30 and rows["maintenance"] >= 10 and rows["repair"] >= 5
    db.set_state("role", "manager")
    db.set_state("user_id", "demo-manager")
    assert service_orders.waiting_approval(book)
    report = service_stats.build(
        book, Period("year", date(2025, 1, 1), date(2027, 1, 1)), team=True
    )
    assert report.section("repeats").rows  # some repairs came back within 90 days
    assert report.section("by_engineer").rows and report.section("ratings").rows[0][1] > 0
    # Past orders were written when they were asked for (History reads in order), and
    # the days to close are a real span, not negative.
    with db.engine.connect() as conn:
        sql = (
            "SELECT COUNT(*) FROM service WHERE requested_at IS NOT NULL "
            "AND julianday(created_at) > julianday(requested_at)"
        )
        assert conn.exec_driver_sql(sql).scalar() == 0
    overview = {r[0]: r[1] for r in report.section("overview").rows}
    assert overview["Days to close (average)"].value > 0
    # Running it twice makes no second visit of a plan (the plan's visits have fixed ids).
    again = db.repos.service.services.count()
    from crm_tui.services import service_plans

    assert service_plans.generate(book) == [] and db.repos.service.services.count() == again
