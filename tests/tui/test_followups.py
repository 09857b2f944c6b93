"""Follow-ups: views by due state, `x` done with the next follow-up, new and edit."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input, TextArea

from crm_tui.screens.customer_detail import CustomerDetailScreen
from crm_tui.screens.followups import FollowUpsScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import PromptScreen
from crm_tui.widgets.record_table import RecordTable
from tests.tui.pilot import settle

pytestmark = pytest.mark.anyio


async def open_followups(pilot) -> RecordTable:  # noqa: ANN001
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FollowUpsScreen)
    return pilot.app.screen.query_one(RecordTable)


async def test_view_keys_filter_by_due_state(app):
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_followups(pilot)
        assert table.row_count == 5  # open
        for key, count, first in [
            ("l", 2, "电话回访"),
            ("t", 1, "上门拜访"),
            ("p", 2, "Birthday call"),
            ("d", 1, "Site visit"),
            ("a", 6, "Site visit"),
            ("o", 5, "Site visit"),
        ]:
            await pilot.press(key)
            await settle(pilot)
            assert (key, table.row_count) == (key, count)
            if key != "o":
                assert table.current_row["subject"] == first
        assert table.current_row["subject"] == "电话回访"
        assert table.current_row["customer_name"] == "北京钢管有限公司"


async def test_query_bar_filters_within_the_view(app):
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_followups(pilot)
        await pilot.press("slash", *"kind:visit")
        await pilot.pause(0.2)
        await settle(pilot)
        assert table.row_count == 1
        await pilot.press("escape", "a")
        await settle(pilot)
        assert table.row_count == 2  # the query stays when the view changes


async def test_done_asks_the_outcome_and_schedules_the_next_a_week_later(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        table = await open_followups(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("down")
        assert table.current_row["id"] == ids["late"]
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"sent it")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.query_one("#f-subject", Input).value == "Send the quote"
        assert form.query_one("#f-due_at", Input).value == "2026-11-30 15:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        closed = db.repos.activities.require(ids["late"])
        assert closed.done_at is not None and closed.outcome == "sent it"
        follow = [
            a
            for a in db.repos.activities.of_customer(ids["acme"])
            if a.subject == "Send the quote" and a.done_at is None
        ]
        assert len(follow) == 1
        assert db.clock.to_local(follow[0].due_at).strftime("%Y-%m-%d %H:%M") == (
            "2026-11-30 15:00"
        )
        assert table.row_count == 1  # one overdue closed, the next is not overdue


async def test_done_without_a_next_follow_up(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        table = await open_followups(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"met the buyer", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert app.screen.query_one("#f-due_at", Input).value == "2026-11-30 14:30"
        await pilot.press("escape")
        await settle(pilot)
        assert db.repos.activities.require(ids["today"]).outcome == "met the buyer"
        assert table.row_count == 0
        assert db.repos.activities.count() == 6


async def test_escape_on_the_outcome_changes_nothing(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        await open_followups(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert db.repos.activities.require(ids["today"]).done_at is None


async def test_new_and_edit_follow_up(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        table = await open_followups(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        app.screen.query_one("#f-subject", Input).value = "电话回访 (2)"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert table.current_row["subject"] == "电话回访 (2)"
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        picker = form.query_one("#f-customer_id")
        picker.choose(ids["globex"], "Globex Trading")
        form.query_one("#f-subject", Input).value = "Send samples"
        form.query_one("#f-due_at", Input).value = "fri"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        made = db.repos.activities.resolve("Send samples")
        assert db.clock.to_local(made.due_at).date() == date(2026, 11, 27)
        assert table.row_count == 6


async def test_c_opens_the_customer_and_x_works_in_the_timeline(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        await open_followups(pilot)
        await pilot.press("t", "c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CustomerDetailScreen) and screen.customer_id == ids["bj"]
        await pilot.press("f")
        await settle(pilot)
        timeline = screen.query_one("#table-timeline", RecordTable)
        assert timeline.current_row["subject"] == "上门拜访"
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"ok", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert db.repos.activities.require(ids["today"]).done_at is not None
        assert app.screen is screen


async def test_quitting_half_way_through_done_writes_nothing(app, book):
    db, ids = book
    before = db.repos.activities.count()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_followups(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"met the buyer", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)  # the outcome is typed, nothing saved yet
        assert db.repos.activities.require(ids["today"]).outcome is None
        app.exit()  # killed between the steps
        await pilot.pause()
    today = db.repos.activities.require(ids["today"])
    assert today.done_at is None and today.outcome is None
    assert db.repos.activities.count() == before


async def test_done_saves_the_next_follow_ups_notes_with_it(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        await open_followups(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"met the buyer", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-notes", TextArea).text = "bring the samples"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
    follow = [
        a
        for a in db.repos.activities.of_customer(ids["bj"])
        if a.subject == "上门拜访" and a.done_at is None
    ]
    assert [a.notes for a in follow] == ["bring the samples"]


def test_complete_is_one_transaction(book, monkeypatch):
    """A failure while saving the next follow-up's notes leaves the first one open."""
    from crm_tui.domain.followup_rules import NextFollowUp
    from crm_tui.services import followups
    from crm_tui.services.book import Book
    from crm_tui.storage.repositories import ActivityRepo

    db, ids = book
    before = db.repos.activities.count()
    original = ActivityRepo.update

    def failing(self, row_id, changes):  # noqa: ANN001
        if "notes" in changes:
            raise RuntimeError("disk full")
        return original(self, row_id, changes)

    monkeypatch.setattr(ActivityRepo, "update", failing)
    next_up = NextFollowUp("visit", "again", "2026-11-30 10:00", notes="samples")
    with pytest.raises(RuntimeError):
        followups.complete(Book(db), ids["today"], "met", next_up)
    today = db.repos.activities.require(ids["today"])
    assert today.done_at is None and today.outcome is None
    assert db.repos.activities.count() == before
    monkeypatch.setattr(ActivityRepo, "update", original)
    done = followups.complete(Book(db), ids["today"], "met", next_up)
    assert done.closed.outcome == "met" and done.next is not None
    assert done.next.notes == "samples"
