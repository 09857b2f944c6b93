"""One meaning of "overdue" (issue 13 item 8): not done, not deleted, due before the start of
today in the rep's zone. The desk's count, the follow-ups screen's Overdue tab, the "Overdue"
saved view, `due:overdue`, `status:overdue`, `is:overdue` and `has:overdue` all agree."""

from __future__ import annotations

from datetime import timedelta

from crm_tui.domain.followup_rules import overdue_before, view_filter
from crm_tui.services import desk, lists, views
from crm_tui.services.book import Book


def _book_with_followups(db, clock) -> tuple[Book, dict[str, str]]:
    r = db.repos
    a = r.customers.create({"name": "Acme 北京钢管"})
    b = r.customers.create({"name": "Nova 科技"})
    start = overdue_before(clock)  # 2026-11-23 00:00 Shanghai; now is 10:00
    due = {
        "yesterday": (a, start - timedelta(hours=9)),
        "earlier today": (b, start + timedelta(hours=8)),
        "later today": (b, start + timedelta(hours=18)),
        "tomorrow": (b, start + timedelta(days=1, hours=9)),
        "done yesterday": (b, start - timedelta(hours=5)),
        "deleted yesterday": (b, start - timedelta(hours=4)),
        "last week": (a, start - timedelta(days=6)),
    }
    ids = {}
    for subject, (customer, moment) in due.items():
        ids[subject] = r.activities.create(
            {"customer_id": customer.id, "subject": subject, "due_at": moment}
        ).id
    r.activities.done(ids["done yesterday"])
    r.activities.delete(ids["deleted yesterday"])
    return Book(db), ids


def _subjects(book: Book, filter_) -> set[str]:
    rows = lists.source(book, "activity", filter_).rows(0, 100)
    return {row["subject"] for row in rows}


def test_every_overdue_agrees_and_earlier_today_is_not_overdue(db, clock):
    book, _ = _book_with_followups(db, clock)
    expected = {"yesterday", "last week"}

    desk_count = desk.load(db.path, clock).overdue_total
    tab = lists.source(book, "activity", view_filter("overdue", clock))
    view = next(v for v in views.SavedViews(db).list("activity") if v.name == "Overdue")
    by_view = lists.source(book, "activity", lists.compile(book, "activity", view.query))

    assert desk_count == tab.count() == by_view.count() == len(expected)
    assert _subjects(book, view_filter("overdue", clock)) == expected
    for text in ("due:overdue", "status:overdue", "is:overdue"):
        assert lists.count(book, "activity", text) == len(expected), text
        assert _subjects(book, lists.compile(book, "activity", text)) == expected, text


def test_has_overdue_uses_the_start_of_today(db, clock):
    book, _ = _book_with_followups(db, clock)
    # Nova's only open follow-ups are due today or later: it has nothing overdue.
    rows = lists.query_rows(book, "customer", "has:overdue", sort=None, limit=10)
    assert [row.name for row in rows] == ["Acme 北京钢管"]


def test_instalments_due_overdue_is_before_today_and_unsettled(db, clock):
    from crm_tui.domain.filter import AllOf, Compare, IsEmpty

    book = Book(db)
    found = lists.compile(book, "payment_plan", "due:overdue")
    assert found.terms == (
        AllOf(
            (
                IsEmpty("due_on", empty=False),
                Compare("due_on", "<", clock.today()),
                IsEmpty("settled_on"),
            )
        ),
    )
    assert lists.compile(book, "payment_plan", "due:none").terms == (IsEmpty("due_on"),)
    assert lists.count(book, "payment_plan", "due:overdue") == 0  # runs as SQL
