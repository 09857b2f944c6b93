"""The TUI import dialog: preview (how the file was read, first rows, dry-run counts), then
import the whole file."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Static

from crm_tui.screens.import_preview import ImportScreen
from crm_tui.services.book import Book

pytestmark = pytest.mark.anyio

CSV = (
    "客户名称,手机,城市,备注\n"
    "华信科技,13800138000,北京,老客户\n"
    "远航贸易,abc,上海,\n"
    "华信科技,13800138000,北京,\n"
)


class Host(App[None]):
    def __init__(self, db) -> None:
        super().__init__()
        self.db = db

    def on_mount(self) -> None:
        self.push_screen(ImportScreen(Book(self.db)))


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_preview_then_import_a_chinese_csv(db, tmp_path) -> None:
    path = tmp_path / "客户.csv"
    path.write_bytes(CSV.encode("gbk"))
    app = Host(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#import-path", Input).value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        plan = str(screen.query_one("#import-plan", Static).render())
        assert "read as gb18030" in plan and "手机 -> phone" in plan
        table = screen.query_one("#import-rows", DataTable)
        assert table.row_count == 3
        assert table.get_row_at(0)[:3] == ["2", "华信科技", "13800138000"]
        summary = str(screen.query_one("#import-summary", Static).render())
        assert "would import 1 customers" in summary and "line 3: phone" in summary
        assert db.repos.customers.count() == 0  # the preview changed nothing
        await pilot.press("ctrl+s")
        await settle(pilot)
        summary = str(screen.query_one("#import-summary", Static).render())
        assert "imported 1 customers" in summary
    assert [c.name for c in db.repos.customers.page()] == ["华信科技"]
    report = (tmp_path / "客户.rejected.csv").read_text("utf-8-sig")
    assert "3,phone: 'abc' is not a phone number" in report and "duplicate of line 2" in report


async def test_a_missing_file_is_reported_not_raised(db, tmp_path) -> None:
    app = Host(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#import-path", Input).value = str(tmp_path / "nope.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert "Cannot import: cannot read" in str(
            screen.query_one("#import-summary", Static).render()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert db.repos.customers.count() == 0
