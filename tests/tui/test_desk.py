"""Today's desk in the app: sections filled, `enter` opens each item's record, `r` re-reads."""

from __future__ import annotations

import pytest

from crm_tui.screens.customer_detail import CustomerDetailScreen
from crm_tui.screens.desk import AnnouncementView, DeskList, DeskScreen
from crm_tui.screens.forms import RecordForm
from tests.tui.pilot import settle

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
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press("escape")
        await pilot.pause()
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
