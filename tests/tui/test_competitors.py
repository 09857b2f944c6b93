"""Pilot tests for the competitors and announcements screens."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Markdown

from crm_tui.screens.announcements import AnnouncementsScreen
from crm_tui.screens.competitors import CompetitorsScreen
from crm_tui.screens.forms import RecordForm

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
