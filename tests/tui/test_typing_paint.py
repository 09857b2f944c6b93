"""Typing in the customers list's `/` bar repaints only what changed (issue 20 item 1): a key
lays nothing out again (Input's per-key virtual size did, repainting the whole screen), the
bar still scrolls to its cursor in a long query, and the table's rows, count and scrollbar
follow each query; a count that shrinks while the list is scrolled down keeps the view on
real rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget

from crm_tui.app import make_app
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import RecordTable
from tests.tui.list_book import customers_book
from tests.tui.pilot import settle, until

pytestmark = pytest.mark.anyio


@pytest.fixture
def book(tmp_path: Path, clock):  # noqa: ANN001
    latin = [f"Acme {i:03}" for i in range(120)]
    db = customers_book(tmp_path / "typing.db", clock, latin, [f"北京科技 {i}" for i in range(3)])
    yield db
    db.close()


async def test_typed_keys_lay_nothing_out_and_the_rows_follow(book, monkeypatch):
    layouts: list[str] = []  # the bar or the table asking for the screen to be laid out
    original = Widget.refresh

    def counted(self, *regions, layout=False, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if layout and isinstance(self, QueryBar | RecordTable):
            layouts.append(type(self).__name__)
        return original(self, *regions, layout=layout, **kwargs)

    monkeypatch.setattr(Widget, "refresh", counted)
    app = make_app(book)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        bar = app.screen.query_one(QueryBar)
        assert await until(pilot, lambda: table.loaded and table.row_count == 123)
        await pilot.press("slash")
        await settle(pilot)
        layouts.clear()
        await pilot.press(*"北京")
        assert await until(pilot, lambda: table.loaded and table.row_count == 3)
        assert bar.value == "北京"
        assert table.current_row["name"] == "北京科技 0"
        assert table.border_subtitle == "1 of 3 customers"
        # The scrollbar follows the count: three rows and the header fit, nothing to scroll.
        assert table.max_scroll_y == 0
        await pilot.press("backspace", "backspace")
        assert await until(pilot, lambda: table.loaded and table.row_count == 123)
        assert table.border_subtitle == "1 of 123 customers"
        assert table.max_scroll_y == 124 - table.scrollable_content_region.height
        await settle(pilot)
        assert layouts == []  # no key, query or count laid the screen out again


async def test_a_long_query_scrolls_the_bar_to_its_cursor(book):
    app = make_app(book)
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        bar = app.screen.query_one(QueryBar)
        await pilot.press("slash", *("acme " * 20).strip())
        await settle(pilot)
        assert bar.value == ("acme " * 20).strip()
        assert bar.virtual_size.width == len(bar.value) + 1
        assert bar.scroll_x > 0  # the end of the text, where the cursor is, is in view
        line = "".join(s.text for s in bar.render_line(0))
        assert "acme acme" in line and line.rstrip().endswith("acme")


async def test_a_count_that_shrinks_under_a_scrolled_view_keeps_it_on_rows(book):
    app = make_app(book)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert await until(pilot, lambda: table.loaded and table.row_count == 123)
        await pilot.press("end")
        assert await until(pilot, lambda: table.current_row is not None)
        assert table.scroll_y > 90
        screen = app.screen
        screen.query_text = "北京"
        screen.apply_filter(keep_cursor=True)
        assert await until(pilot, lambda: table.loaded and table.row_count == 3)
        await settle(pilot)
        assert table.scroll_y == 0
        assert table.cursor_row == 2
        assert table.current_row["name"] == "北京科技 2"
        assert table.border_subtitle == "3 of 3 customers"
