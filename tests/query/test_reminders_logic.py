"""services/reminders.py: what is due at a given now, shown once, snoozed, and the agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_tui.services import reminders
from crm_tui.services.book import Book


@pytest.fixture
def book(db):
    r = db.repos
    acme = r.customers.create({"name": "Acme"})
    r.contacts.create({"customer_id": acme.id, "name": "李娜", "birthday": "1990-11-29"})
    r.contacts.create({"customer_id": acme.id, "name": "Late", "birthday": "1990-12-05"})
    r.opportunities.create(
        {"customer_id": acme.id, "title": "soon", "amount": "1k", "expected_close": "+3d"}
    )
    r.opportunities.create(
        {"customer_id": acme.id, "title": "far", "amount": "1k", "expected_close": "+30d"}
    )
    r.opportunities.create(
        {
            "customer_id": acme.id,
            "title": "won soon",
            "amount": "1k",
            "stage": "won",
            "closed_on": "today",
            "expected_close": "+1d",
        }
    )
    due = r.activities.create(
        {"customer_id": acme.id, "subject": "due now", "due_at": "today 09:30"}
    )
    r.activities.create({"customer_id": acme.id, "subject": "later today", "due_at": "today 16:00"})
    r.activities.create(
        {"customer_id": acme.id, "subject": "all day tomorrow", "due_at": "tomorrow"}
    )
    done = r.activities.create(
        {"customer_id": acme.id, "subject": "done one", "due_at": "yesterday"}
    )
    r.activities.done(done.id)
    return db, due.id


def titles(items):
    return [r.title for r in items]


def test_due_now_has_followups_birthdays_and_deals(book):
    db, _ = book
    due = reminders.due_now(Book(db))
    assert titles([r for r in due if r.kind == "followup"]) == ["due now"]
    assert titles([r for r in due if r.kind == "birthday"]) == ["李娜"]
    assert titles([r for r in due if r.kind == "deal"]) == ["soon"]


def test_followup_comes_due_when_its_reminder_time_passes(book):
    db, _ = book
    db.clock.advance(timedelta(hours=6, minutes=1))  # 16:01 local
    assert titles(reminders.followups_due(Book(db))) == ["due now", "later today"]


def test_all_day_followups_remind_at_nine(book):
    db, _ = book
    db.clock.advance(timedelta(hours=22, minutes=59))  # tomorrow 08:59
    assert "all day tomorrow" not in titles(reminders.followups_due(Book(db)))
    db.clock.advance(timedelta(minutes=1))
    assert "all day tomorrow" in titles(reminders.followups_due(Book(db)))


def test_a_reminder_is_shown_once(book):
    db, _ = book
    due = reminders.followups_due(Book(db))
    assert titles(reminders.unshown(Book(db), due)) == ["due now"]
    reminders.mark_shown(Book(db), due)
    assert reminders.unshown(Book(db), reminders.followups_due(Book(db))) == []


def test_snooze_moves_the_reminder_and_it_shows_again(book):
    db, row_id = book
    reminders.mark_shown(Book(db), reminders.followups_due(Book(db)))
    until = reminders.snooze(Book(db), row_id, "15m")
    assert until == db.clock.now() + timedelta(minutes=15)
    assert reminders.followups_due(Book(db)) == []
    db.clock.advance(timedelta(minutes=15))
    assert titles(reminders.unshown(Book(db), reminders.followups_due(Book(db)))) == ["due now"]
    assert db.pending_changes() > 0  # the snooze is a synced change


def test_snooze_choices(book):
    db, _ = book
    now = db.clock.now()
    assert reminders.snooze_until(Book(db), "1h") == now + timedelta(hours=1)
    tomorrow_nine = reminders.snooze_until(Book(db), "tomorrow")
    assert db.clock.to_local(tomorrow_nine).strftime("%Y-%m-%d %H:%M") == "2026-11-24 09:00"
    with pytest.raises(ValueError):
        reminders.snooze_until(Book(db), "forever")


def test_done_followup_is_never_due(book):
    db, row_id = book
    db.repos.activities.done(row_id)
    assert reminders.followups_due(Book(db)) == []


def test_agenda_by_day(book):
    db, _ = book
    plan = reminders.agenda(Book(db), days=7)
    days = {d.isoformat(): [i.title for i in items] for d, items in plan.items()}
    assert days["2026-11-23"] == ["due now", "later today"]
    assert days["2026-11-24"] == ["all day tomorrow"]
    assert days["2026-11-26"] == ["soon"]
    assert days["2026-11-29"] == ["李娜"]
    assert "Late" not in str(days) and "far" not in str(days)


def test_interval_is_a_setting_of_at_least_a_second(db):
    book = Book(db)
    assert reminders.interval(book) == 30.0
    db.set_state(reminders.INTERVAL_KEY, "0.2")
    assert reminders.interval(book) == 1.0
    db.set_state(reminders.INTERVAL_KEY, "often")
    assert reminders.interval(book) == 30.0
