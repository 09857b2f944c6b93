"""Search as you type on the customers list (Pilot): a total beyond the cap paints as "N+"
first and becomes exact once counted; free text is exact at once; errors stay inline."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from crm_tui.app import make_app
from crm_tui.storage import listing
from crm_tui.storage.listing import ListSource
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import RecordTable
from tests.tui.list_book import customers_book
from tests.tui.pilot import settle, until

pytestmark = pytest.mark.anyio


@pytest.fixture
def crowd(tmp_path: Path, clock):  # noqa: ANN001
    latin = [f"Acme {i:02}" for i in range(24)]
    db = customers_book(tmp_path / "crowd.db", clock, latin, [f"张伟贸易 {i}" for i in range(3)])
    yield db
    db.close()


async def test_capped_total_shows_n_plus_then_the_exact_count(crowd, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    counting = threading.Event()
    original = ListSource.count_exact

    def held(self, interrupt=None):  # noqa: ANN001
        if interrupt is not None:  # the list's count after the paint waits for the test
            counting.wait(10)
        return original(self, interrupt)

    monkeypatch.setattr(ListSource, "count_exact", held)
    app = make_app(crowd)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert table.row_count == 27 and table.count_exact  # unfiltered: counted at once
        bar = app.screen.query_one(QueryBar)
        await pilot.press("slash")
        bar.value = "grade:A"
        shown = await until(pilot, lambda: table.loaded and not table.count_exact)
        assert shown, table.border_subtitle
        assert table.row_count == 5
        assert table.border_subtitle == "1 of 5+ customers"
        assert table.current_row["name"] == "Acme 00"  # the first page is painted already
        counting.set()
        assert await until(pilot, lambda: table.count_exact)
        assert table.row_count == 24
        assert table.border_subtitle == "1 of 24 customers"
        await settle(pilot)


async def test_a_newer_query_interrupts_the_count_of_an_older_one(crowd, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    monkeypatch.setattr(listing, "INTERRUPT_STEPS", 1)
    started, interrupted = threading.Event(), []
    original = ListSource.count_exact

    held: list[bool] = []

    def watched(self, interrupt=None):  # noqa: ANN001
        if interrupt is None or held:  # only the first count is held (a newer one may start
            return original(self, interrupt)  # before the held one sees it was replaced)
        held.append(True)
        started.set()

        def stop() -> bool:
            # Hold the count until a newer query replaced this one.
            while not interrupt():
                if self.generation > 10_000:
                    return False
                threading.Event().wait(0.01)
            interrupted.append(True)
            return True

        return original(self, stop)

    monkeypatch.setattr(ListSource, "count_exact", watched)
    app = make_app(crowd)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        bar = app.screen.query_one(QueryBar)
        await pilot.press("slash")
        bar.value = "grade:A"
        assert await until(pilot, started.is_set)
        bar.value = "city:上海"
        assert await until(pilot, lambda: bool(interrupted))
        assert await until(pilot, lambda: table.count_exact and table.row_count == 24)
        assert table.border_subtitle == "1 of 24 customers"
        await settle(pilot)


async def test_free_text_is_exact_at_once_and_errors_stay_inline(crowd, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    app = make_app(crowd)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        bar = app.screen.query_one(QueryBar)
        await pilot.press("slash", *"张伟")
        assert await until(pilot, lambda: table.loaded and table.row_count == 3)
        # More hits than the cap, yet exact with the first paint: the search hits give it.
        assert table.count_exact and table.border_subtitle == "1 of 3 customers"
        assert table.current_row["name"] == "张伟贸易 0"
        bar.value = "张伟 cty:x"  # one edit: typed key by key, 'ct' alone is a search
        assert await until(pilot, lambda: "did you mean city?" in (bar.error or ""))
        assert table.row_count == 3 and table.border_subtitle == "1 of 3 customers"
        bar.value = "zzz"
        assert await until(pilot, lambda: bar.error is None and table.row_count == 0)
        assert table.border_subtitle == "0 customers"
        bar.value = "acme"
        assert await until(pilot, lambda: table.loaded and table.row_count == 24)
        assert table.count_exact and table.border_subtitle == "1 of 24 customers"
        await asyncio.sleep(0)
        await settle(pilot)


async def test_the_table_keeps_its_rows_until_the_new_page_arrives(crowd):
    """Issue 20's finding: a keystroke does not blank the list to "Loading…" while the new
    query runs; the old rows stay painted until the new page replaces them."""
    from crm_tui.services import lists
    from crm_tui.services.book import Book

    app = make_app(crowd)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        first = table.render_line(1).text
        assert "Acme" in first or "张伟" in first
        release = threading.Event()
        source = table.source
        original = source.quick_count

        def slow_count():  # noqa: ANN202 - hold the worker until the paint is checked
            release.wait(5)
            return original()

        source.quick_count = slow_count
        table.set_filter(lists.compile(Book(crowd), "customer", "city:北京"))
        await pilot.pause()
        assert not table.loaded
        assert table.render_line(1).text == first  # the old row, not " Loading…"
        release.set()
        assert await until(pilot, lambda: table.loaded and table.row_count == 3)
        assert "张伟" in table.render_line(1).text
