"""Today's desk in the app: sections filled, `enter` opens each item's record, `r` re-reads."""

from __future__ import annotations

import threading
import time

import pytest

from crm_tui.screens.customer_detail import CustomerDetailScreen
from crm_tui.screens.desk import AnnouncementView, DeskList, DeskScreen
from crm_tui.screens.followups import FollowUpsScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.opportunities import OpportunitiesScreen
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import desk as desk_service
from tests.tui.pilot import settle, until

pytestmark = pytest.mark.anyio


def prompts(screen: DeskScreen, section: str) -> list[str]:
    return [str(option.prompt) for option in screen.query_one(f"#{section}", DeskList).options]


async def test_desk_shows_every_section(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        assert prompts(screen, "overdue")[0].startswith("11-20 15:00 call: Send the quote")
        assert screen.query_one("#overdue", DeskList).border_title == "Overdue (2)"
        assert [p.split()[0] for p in prompts(screen, "schedule")] == ["today", "Wed"]
        assert any("Wang Fang" in p for p in prompts(screen, "birthdays"))
        assert any("张伟" in p for p in prompts(screen, "birthdays"))
        assert any("阀门 200 套" in p for p in prompts(screen, "closing"))
        assert any("Q4 push" in p for p in prompts(screen, "announcements"))
        assert len(prompts(screen, "recent")) == 6
        won = {f.label: f for f in screen.desk.numbers}["Amount won"]
        assert (won.this_month, won.last_month, won.up) == ("¥12,000.00", "¥0.00", True)
        assert app.focused is screen.query_one("#overdue", DeskList)


async def test_enter_opens_a_follow_up_a_contact_and_an_announcement(app, book):
    _, ids = book
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the follow-up in its list, cursor on it (issue 13 item 15)
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        assert (app.screen.view, app.screen.table.current_row["id"]) == ("overdue", ids["late"])
        await pilot.press("1")
        await settle(pilot)
        app.screen.query_one("#birthdays", DeskList).focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerDetailScreen)
        assert app.screen.customer_id == ids["acme"]
        assert app.screen.current_tab == "contacts"
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one("#announcements", DeskList).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AnnouncementView)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DeskScreen)


async def test_r_reads_the_desk_again(app, book):
    db, ids = book
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        db.repos.activities.done(ids["late"], outcome="done elsewhere")
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one("#overdue", DeskList).border_title == "Overdue (1)"


async def test_empty_desk_says_so(tmp_path, clock):
    from crm_tui.app import make_app
    from crm_tui.storage.database import open_database

    db = open_database(tmp_path / "empty.db", clock)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert prompts(app.screen, "overdue") == ["Nothing overdue."]
    db.close()


async def test_desk_counts_agree_with_the_overdue_tab(app, book):
    """Issue 13 item 8: the desk's Overdue (N) is the `l` tab's count."""
    from crm_tui.domain.followup_rules import view_filter
    from crm_tui.services import lists
    from crm_tui.services.book import Book

    db, ids = book
    db.repos.activities.create(
        {"customer_id": ids["acme"], "subject": "Earlier today", "due_at": "2026-11-23 08:00"}
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        total = app.screen.desk.overdue_total
        await pilot.press("3", "l")
        await settle(pilot)
        assert app.screen.table.row_count == total == 2
    tab = lists.source(Book(db), "activity", view_filter("overdue", db.clock)).count()
    assert tab == total


def test_due_overdue_agrees_with_the_desk(book):
    from crm_tui.services import lists
    from crm_tui.services.book import Book
    from crm_tui.storage.desk import load_desk

    db, ids = book
    db.repos.activities.create(
        {"customer_id": ids["acme"], "subject": "Earlier today", "due_at": "2026-11-23 08:00"}
    )
    desk = load_desk(db.path, db.clock)
    assert lists.count(Book(db), "activity", "due:overdue") == desk.overdue_total


def _busy_book(db, ids) -> None:
    """40 more overdue follow-ups and 6 more today, one in five days."""
    r = db.repos
    for i in range(40):
        r.activities.create(
            {"customer_id": ids["acme"], "subject": f"Old {i:02d}", "due_at": "2026-10-01 09:00"}
        )
    for i in range(6):
        r.activities.create(
            {"customer_id": ids["bj"], "subject": f"Today {i}", "due_at": "2026-11-23 18:00"}
        )
    r.activities.create(
        {"customer_id": ids["bj"], "subject": "Later this week", "due_at": "2026-11-28 09:00"}
    )


async def test_panels_show_all_n_and_the_week_shows_later_days(app, book):
    """Issue 13 item 15: "all N →" opens the full filtered list; the 7-day panel shows the
    later days, not only today's rows."""
    db, ids = book
    _busy_book(db, ids)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        schedule = prompts(screen, "schedule")
        assert any("Later this week" in p for p in schedule)
        overdue = prompts(screen, "overdue")
        assert overdue[-1].strip() == "all 42 →"
        panel = screen.query_one("#overdue", DeskList)
        panel.focus()
        panel.highlighted = panel.option_count - 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)
        assert app.screen.view == "overdue" and app.screen.table.row_count == 42


async def test_x_marks_a_follow_up_done_from_the_desk(app, book):
    db, ids = book
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#overdue", DeskList).current_item == ("activity", ids["late"])
        await pilot.press("x")
        # not settle: the flow's worker waits for the answers
        assert await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"sent it", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, RecordForm))  # the next one
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert db.repos.activities.require(ids["late"]).outcome == "sent it"
        # The desk reloads in a worker after the change: wait for it, under load too.
        overdue = screen.query_one("#overdue", DeskList)
        assert await until(pilot, lambda: overdue.border_title == "Overdue (1)")


async def test_a_read_begun_before_x_and_delivered_late_does_not_paint_over_the_new_one(
    app, book, monkeypatch
):
    """The `x` flow reloads the desk three times; on a busy machine the read begun before the
    follow-up was written can finish last. It must not bring back "Overdue (2)"."""
    real_rest = desk_service.rest
    stale: list[threading.Event] = []

    def rest(path, clock, desk, **kw):  # noqa: ANN001, ANN202
        out = real_rest(path, clock, desk, **kw)
        if desk.overdue_total == 2:
            done = threading.Event()
            stale.append(done)
            if len(stale) > 1:  # not the first paint's: a reload that saw the old count
                time.sleep(0.5)  # this thread is descheduled for a while
            done.set()
        return out

    monkeypatch.setattr(desk_service, "rest", rest)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("x")
        assert await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"sent it", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, RecordForm))
        await pilot.press("escape")
        overdue = screen.query_one("#overdue", DeskList)
        assert await until(pilot, lambda: overdue.border_title == "Overdue (1)")
        # Every stale read has returned and had its chance to paint.
        assert await until(pilot, lambda: all(done.is_set() for done in stale))
        await settle(pilot)
        assert overdue.border_title == "Overdue (1)"


async def test_enter_on_a_deal_opens_the_deals_list_on_it(app, book):
    db, _ = book
    deal = db.repos.opportunities.resolve("阀门 200 套")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#closing", DeskList)
        panel.focus()
        ids = [panel.get_option_at_index(i).id for i in range(panel.option_count)]
        panel.highlighted = next(i for i, o in enumerate(ids) if deal.id in o)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OpportunitiesScreen)
        assert app.screen.table.current_row["id"] == deal.id


async def test_this_month_panel_shows_every_row_at_120x40(app, book):
    """Review D2: with full panels "This month so far" sat below the fold at 120x40 and
    showed only "Follow-ups done"; it is not a list, so no key reached the rest."""
    db, ids = book
    _busy_book(db, ids)
    for i in range(12):
        db.repos.customers.create({"name": f"Later customer {i:02d}"})
        db.repos.opportunities.create(
            {
                "customer_id": ids["acme"],
                "title": f"Soon {i:02d}",
                "amount": "1000",
                "stage": "proposal",
                "expected_close": "2026-11-30",
            }
        )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        panel = screen.query_one("#numbers")
        desk = screen.query_one("#desk")
        assert desk.scroll_offset.y == 0
        # a line per figure, the header line and the two border lines, all on screen
        assert panel.outer_size.height == len(screen.desk.numbers) + 3
        assert panel.region.bottom <= desk.region.bottom, (panel.region, desk.region)


async def test_this_month_panel_scrolls_into_view_at_80x24(app, book):
    """At 80x24 the desk is one column and scrolls: tab reaches the panel and shows it."""
    db, ids = book
    _busy_book(db, ids)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        panel = screen.query_one("#numbers")
        desk = screen.query_one("#desk")
        for _ in range(12):
            if app.focused is panel:
                break
            await pilot.press("tab")
            await pilot.pause()
        assert app.focused is panel
        await pilot.pause(0.3)
        assert desk.region.y <= panel.region.y and panel.region.bottom <= desk.region.bottom
