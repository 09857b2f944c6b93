"""The desk's "Reports & contacts" panel: after the team's rule's time, today's report not
written (enter writes it); customers not contacted for their grade's days (enter opens
one); nothing once the report is submitted and the customer contacted."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.screens.desk import DeskList, DeskScreen
from crm_tui.services import contact_log, work_reports
from crm_tui.services.book import Book
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio
ZONE = ZoneInfo("Asia/Shanghai")
EVENING = datetime(2026, 11, 23, 19, 0, tzinfo=ZONE)  # Monday, after 18:00


def _prompts(screen) -> list[str]:
    return [str(o.prompt) for o in screen.query_one("#office", DeskList).options]


async def test_desk_says_report_not_written_and_who_was_not_contacted(db) -> None:
    db.set_state("user_id", "rep-1")
    clock = Clock(fixed=EVENING, zone=ZONE)
    db.clock = clock
    book = Book(db)
    quiet = db.repos.customers.create({"name": "久未联系", "grade": "A"})
    fresh = db.repos.customers.create({"name": "刚联系过", "grade": "A"})
    contact_log.log(book, fresh.id, channel="call", at=clock.now() - timedelta(days=2))
    contact_log.log(book, quiet.id, channel="call", at=clock.now() - timedelta(days=20))
    app = Host(db, lambda d: DeskScreen(d.path, clock))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = _prompts(app.screen)
        assert lines[0].startswith("2026-11-23") and "daily report not written" in lines[0]
        assert any("久未联系" in line and "20d" in line for line in lines)
        assert not any("刚联系过" in line for line in lines)
        app.screen.query_one("#office", DeskList).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.opened == [("work_report", "-"), ("customer", quiet.id)]

    rec = work_reports.draft(book, "daily", done="今天")
    work_reports.submit(book, rec.id)
    contact_log.log(book, quiet.id, channel="visit")
    app = Host(db, lambda d: DeskScreen(d.path, clock))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not app.screen.query("#office")


async def test_the_app_opens_a_report_or_the_form_to_write_one(db) -> None:
    from crm_tui.app import make_app
    from crm_tui.screens.work_report_form import ReportFormScreen, ReportReadScreen

    db.set_state("user_id", "rep-1")
    rec = work_reports.draft(Book(db), "daily", done="写好了")
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_record("work_report", "-")  # a reminder's: none written yet
        await settle(pilot)
        assert isinstance(app.screen, ReportFormScreen)
        await pilot.press("escape")
        await settle(pilot)
        app.open_record("work_report", rec.id)
        await settle(pilot)
        assert isinstance(app.screen, ReportReadScreen) and app.screen.report_id == rec.id
