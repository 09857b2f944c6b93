"""In-app reminders with a controllable clock: shown once, then snooze and done work."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_tui.app import make_app
from crm_tui.screens.reminder import ReminderScreen, ReminderWatcher
from crm_tui.services import reminders
from crm_tui.services.book import Book
from crm_tui.storage.database import open_database
from tests.tui.pilot import settle

pytestmark = pytest.mark.anyio


@pytest.fixture
def quiet_book(tmp_path, clock):
    """One customer and one follow-up due at 11:00 today (it is 10:00)."""
    db = open_database(tmp_path / "r.db", clock)
    customer = db.repos.customers.create({"name": "Acme"})
    call = db.repos.activities.create(
        {"customer_id": customer.id, "subject": "call Acme", "due_at": "today 11:00"}
    )
    yield db, call.id
    db.close()


async def test_a_due_reminder_appears_once(quiet_book):
    db, call_id = quiet_book
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        watcher = ReminderWatcher(app, start=False)
        assert watcher.check() == []  # not due yet
        db.clock.advance(timedelta(hours=1))
        shown = watcher.check()
        await settle(pilot)
        assert [r.row_id for r in shown] == [call_id]
        assert isinstance(app.screen, ReminderScreen)
        assert any("call Acme" in str(n.message) for n in app._notifications)
        await pilot.press("escape")
        assert not isinstance(app.screen, ReminderScreen)
        assert watcher.check() == []  # shown once
        db.clock.advance(timedelta(minutes=30))
        assert watcher.check() == []


async def test_snooze_from_the_dialog_shows_it_again_later(quiet_book):
    db, call_id = quiet_book
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        watcher = ReminderWatcher(app, start=False)
        db.clock.advance(timedelta(hours=1))
        watcher.check()
        await settle(pilot)
        await pilot.press("s", "down", "enter")  # 1 hour
        await settle(pilot)
        assert not isinstance(app.screen, ReminderScreen)
        rec = db.repos.activities.require(call_id)
        assert rec.remind_at == db.clock.now() + timedelta(hours=1)
        db.clock.advance(timedelta(minutes=59))
        assert watcher.check() == []
        db.clock.advance(timedelta(minutes=1))
        assert [r.row_id for r in watcher.check()] == [call_id]


async def test_done_from_the_dialog(quiet_book):
    db, call_id = quiet_book
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        watcher = ReminderWatcher(app, start=False)
        db.clock.advance(timedelta(hours=1))
        watcher.check()
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert db.repos.activities.require(call_id).done_at is not None
        assert not isinstance(app.screen, ReminderScreen)
        assert reminders.followups_due(Book(db)) == []


async def test_open_goes_to_the_follow_up(quiet_book):
    db, _ = quiet_book
    app = make_app(db)
    opened = []
    app.open_record = lambda entity, row_id, customer_id=None: opened.append((entity, row_id))
    async with app.run_test(size=(100, 30)) as pilot:
        watcher = ReminderWatcher(app, start=False)
        db.clock.advance(timedelta(hours=1))
        watcher.check()
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened and opened[0][0] == "activity"


async def test_the_app_checks_on_its_own_timer(quiet_book):
    db, _ = quiet_book
    db.set_state("reminders.interval", "1")
    db.clock.advance(timedelta(hours=1))
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(40):
            await pilot.pause(0.1)
            if isinstance(app.screen, ReminderScreen):
                break
        assert isinstance(app.screen, ReminderScreen)


async def test_the_timer_reads_the_database_off_the_ui_thread(quiet_book, monkeypatch):
    import threading

    db, _ = quiet_book
    db.set_state("reminders.interval", "1")
    db.clock.advance(timedelta(hours=1))
    threads: list[str] = []
    real = reminders.due_now

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(reminders, "due_now", spy)
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(40):
            await pilot.pause(0.1)
            if isinstance(app.screen, ReminderScreen):
                break
        assert isinstance(app.screen, ReminderScreen)
        assert threads and threading.current_thread().name not in threads


async def test_a_reminder_waits_while_a_form_is_open_and_takes_none_of_its_keys(quiet_book):
    from crm_tui.screens.forms import RecordForm

    db, call_id = quiet_book
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = RecordForm("customer", title="New customer", save=db.repos.customers.create)
        app.push_screen(form)
        await pilot.pause()
        watcher = ReminderWatcher(app, start=False)
        db.clock.advance(timedelta(hours=1))
        assert [r.row_id for r in watcher.check()] == [call_id]
        await pilot.press(*"so")  # s and o are the reminder dialog's keys
        await pilot.pause()
        assert app.screen is form
        assert form.text_of("name") == "so"
        assert not any("call Acme" in str(n.message) for n in app._notifications)
        await pilot.press("escape", "y")  # discard the form
        for _ in range(30):
            await pilot.pause(0.1)
            if isinstance(app.screen, ReminderScreen):
                break
        assert isinstance(app.screen, ReminderScreen)  # shown once the form closed
        assert any("call Acme" in str(n.message) for n in app._notifications)


async def test_many_due_follow_ups_come_as_one_summary_with_the_overdue_list(quiet_book):
    from crm_tui.screens.followups import FollowUpsScreen
    from crm_tui.screens.reminder import ReminderSummaryScreen

    db, _ = quiet_book
    customer = db.repos.customers.resolve("Acme")
    for n in range(8):
        db.repos.activities.create(
            {"customer_id": customer.id, "subject": f"old call {n}", "due_at": "yesterday 09:00"}
        )
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        watcher = ReminderWatcher(app, start=False)
        db.clock.advance(timedelta(hours=1))
        assert len(watcher.check()) == 9
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, ReminderSummaryScreen)
        assert "8 overdue follow-ups" in str(summary.query_one("#reminder-title").render())
        assert "1 more reminder due" in str(summary.query_one("#reminder-detail").render())
        assert not any("old call" in str(n.message) for n in app._notifications)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        assert app.screen.view == "overdue"


async def test_the_summary_has_one_count_no_toasts_over_it_and_lets_section_keys_through(
    quiet_book,
):
    from crm_tui.screens.customers import CustomersScreen
    from crm_tui.screens.reminder import ReminderSummaryScreen

    db, _ = quiet_book
    now = db.clock.now()
    follow = [
        reminders.Reminder("followup", "activity", f"f{n}", f"call {n}", now) for n in range(8)
    ]
    others = [
        reminders.Reminder("birthday", "contact", f"b{n}", f"Birthday {n}", now.date())
        for n in range(6)
    ]
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        watcher = ReminderWatcher(app, start=False)
        watcher.show(Book(db), follow + others, overdue=5)
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, ReminderSummaryScreen)
        # 3 follow-ups not overdue + 6 birthdays: one count, said once, in the dialog
        detail = str(summary.query_one("#reminder-detail").render())
        assert "and 9 more reminders due" in detail
        assert "Birthday 0" in str(summary.query_one("#reminder-others").render())
        assert not any("Birthday" in str(n.message) for n in app._notifications)
        assert not any("more reminders" in str(n.message) for n in app._notifications)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
