"""The office demo makes the reports list, the reader and the contact statistics alive:
a week of submitted daily reports with frozen figures, the manager's reads and comments
(one answered), today's draft, and a contact history."""

from __future__ import annotations

from crm_tui.domain.work_report_specs import load_figures
from crm_tui.services import contact_log, work_reports
from crm_tui.services.book import Book
from crm_tui.services.office_demo import add_office


def test_demo_has_a_week_of_reports_with_comments_and_a_contact_history(db, clock) -> None:
    book = Book(db)
    for i, grade in enumerate("ABCABC"):
        c = db.repos.customers.create({"name": f"客户{i}", "grade": grade})
        act = db.repos.activities.create({"customer_id": c.id, "subject": "拜访", "kind": "visit"})
        db.repos.activities.done(act.id)
    counts = add_office(book, contacts=30)
    assert counts == {"reports": 7, "comments": 4, "contact_logs": 30}
    reports = work_reports.mine(book)
    submitted = [r for r in reports if r.status == "submitted"]
    assert len(submitted) == 6 and all(load_figures(r.figures) for r in submitted)
    drafts = [r for r in reports if r.status == "draft"]
    assert [d.period for d in drafts] == [clock.today().isoformat()]
    threads = [work_reports.view(book, r.id) for r in submitted if r.kind == "daily"]
    commented = [v for v in threads if v.comments]
    assert len(commented) == 3 and all(v.read_by for v in commented)
    assert any([c.depth for c in v.comments] == [0, 1] for v in commented)
    stats = contact_log.stats(book, clock.today().replace(day=1).replace(month=1), clock.today())
    assert stats.total >= 1 and stats.by_channel
