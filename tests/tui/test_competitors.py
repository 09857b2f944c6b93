"""Pilot tests for the competitors and announcements screens."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Markdown

from crm_tui.domain.fields import ValidationErrors
from crm_tui.screens.announcements import AnnouncementsScreen
from crm_tui.screens.competitors import CompetitorsScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.services import announcements
from crm_tui.services.book import Book

from .pilot import settle
from .support_b import Host, make_db

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


async def test_add_and_edit_a_competitor(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, CompetitorsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press(*"Initech", "tab", *"cheap")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompetitorsScreen)
        assert screen.table.row_count == 3
        screen.table.cursor_row = 0  # sorted by name: Globex, Initech, 宝钢代理
        await pilot.press("down", "e")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#f-name", Input).value == "Initech"
        form.query_one("#f-name", Input).value = "Initech Ltd"
        await pilot.press("ctrl+s")
        await pilot.pause()
    found = db.repos.competitors.resolve("Initech Ltd")
    assert found.strengths == "cheap"


async def test_announcements_show_the_body_and_only_managers_write(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, AnnouncementsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.table.current_row["title"] == "新产品发布"  # newest first
        body = screen.query_one("#announcement-text", Markdown)
        assert "下周一" in body.source
        await pilot.press("down")
        await pilot.pause()
        assert "everything" in body.source
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
    db.set_state("role", "manager")
    app = Host(db, AnnouncementsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press(*"Holiday", "ctrl+s")
        await settle(pilot)
    news = db.repos.announcements.resolve("Holiday")
    assert news.published_at is not None


async def test_an_admin_publishes_an_announcement_in_the_app(tmp_path):
    # The rule book lets admins publish as the server does (the app once checked "manager").
    db = make_db(tmp_path, role="admin")
    app = Host(db, lambda d: AnnouncementsScreen(Book(d)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "(managers write them)" not in str(app.screen.query_one(".section-summary").render())
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press(*"Year-end dinner", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AnnouncementsScreen)
        assert app.screen.table.current_row["title"] == "Year-end dinner"
    news = db.repos.announcements.resolve("Year-end dinner")
    assert news.published_at is not None


def test_publish_refuses_a_rep_and_lets_managers_and_admins(tmp_path):
    db = make_db(tmp_path)
    book = Book(db)
    with pytest.raises(ValidationErrors, match="only managers"):
        announcements.publish(book, {"title": "Rep news"})
    for role in ("manager", "admin"):
        db.set_state("role", role)
        assert announcements.publish(book, {"title": f"From the {role}"}).published_at
