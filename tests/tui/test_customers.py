"""Customers: the lazy table, `/` filtering as you type, new/edit forms, the detail screen."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Input

from crm_tui.screens.customer_detail import CustomerDetailScreen
from crm_tui.screens.customers import CustomersScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import RecordTable, fit
from tests.tui.pilot import row_at, settle

pytestmark = pytest.mark.anyio


async def open_customers(pilot) -> RecordTable:  # noqa: ANN001
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomersScreen)
    return pilot.app.screen.query_one(RecordTable)


async def type_query(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.pause(0.2)
    await settle(pilot)


async def test_slash_filters_as_you_type(app):
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_customers(pilot)
        assert table.row_count == 4
        await type_query(pilot, "city:北京")
        assert isinstance(app.focused, QueryBar)
        assert table.row_count == 2
        assert {row_at(table, i)["name"] for i in range(2)} == {"北京钢管有限公司", "张伟"}
        await pilot.press("escape")
        assert app.focused is table


async def test_a_bad_query_shows_its_error_and_keeps_the_rows(app):
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_customers(pilot)
        await type_query(pilot, "grade:A")
        assert table.row_count == 1
        bar = app.screen.query_one(QueryBar)
        bar.value = "grade:A cty:x"  # the whole edit at once: no good query in between
        await pilot.pause(0.2)
        await settle(pilot)
        assert bar.error and "cty" in bar.error
        assert table.row_count == 1


async def test_new_customer_saves_and_shows_in_the_list(app, book):
    db, _ = book
    async with app.run_test(size=(100, 40)) as pilot:
        table = await open_customers(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press("ctrl+s")  # no name: refused, the form stays
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        app.screen.query_one("#f-name", Input).value = "Initech 上海"
        app.screen.query_one("#f-city", Input).value = "上海"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert table.row_count == 5
        assert db.repos.customers.resolve("Initech 上海").city == "上海"


async def test_edit_changes_the_customer_under_the_cursor(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        table = await open_customers(pilot)
        assert table.current_row["name"] == "Acme Steel"
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        app.screen.query_one("#f-city", Input).value = "苏州"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert db.repos.customers.require(ids["acme"]).city == "苏州"
        assert table.current_row["city"] == "苏州"


async def test_table_keys_move_the_cursor(app):
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_customers(pilot)
        await pilot.press("down")
        assert table.cursor_row == 1
        await pilot.press("end")
        assert table.cursor_row == 3
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        assert table.cursor_row == 3
        await pilot.press("pageup", "j")
        assert table.cursor_row == 1
        assert table.border_subtitle == "2 of 4 customers"


async def test_enter_opens_the_detail_and_adds_a_contact(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        await open_customers(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CustomerDetailScreen)
        assert screen.customer_id == ids["acme"]
        await pilot.press("c")
        await settle(pilot)
        assert screen.current_tab == "contacts"
        assert screen.query_one("#table-contacts", RecordTable).row_count == 1
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        app.screen.query_one("#f-name", Input).value = "Zhao Min"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#table-contacts", RecordTable).row_count == 2
        assert [c.name for c in db.repos.contacts.of_customer(ids["acme"])] == [
            "Wang Fang",
            "Zhao Min",
        ]
        await pilot.press("escape")
        assert isinstance(app.screen, CustomersScreen)


async def test_detail_adds_a_follow_up_and_a_deal(app, book):
    db, ids = book
    async with app.run_test(size=(100, 40)) as pilot:
        await open_customers(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        for tab, field, value in [
            ("f", "#f-subject", "Call about samples"),
            ("d", "#f-title", "Samples order"),
        ]:
            await pilot.press(tab)
            await settle(pilot)
            await pilot.press("a")
            await pilot.pause()
            app.screen.query_one(field, Input).value = value
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen
        assert "Call about samples" in [
            a.subject for a in db.repos.activities.of_customer(ids["acme"])
        ]
        assert "Samples order" in [o.title for o in db.repos.opportunities.of_customer(ids["acme"])]


def test_cells_are_cut_and_padded_by_terminal_width():
    assert fit("北京钢管有限公司", 9) == "北京钢管…"
    assert cell_len(fit("北京钢管有限公司", 9)) == 9
    assert fit("张伟", 6) == "张伟  "
    assert fit("42", 5, "right") == "   42"
    assert cell_len(fit("北京", 3)) == 3


async def test_the_table_reads_only_the_pages_in_view(app, book, monkeypatch):
    from crm_tui.storage.engine import connect
    from crm_tui.storage.listing import ListSource

    db, _ = book
    conn = connect(db.path)
    stamp = "2026-11-01 00:00:00.000000"
    conn.executemany(
        "INSERT INTO customer(id, created_at, updated_at, name, sort_key) VALUES (?, ?, ?, ?, ?)",
        [(f"bulk{i:05d}", stamp, stamp, f"Bulk {i:05d}", f"bulk {i:05d}") for i in range(5000)],
    )
    conn.close()
    asked: list[int] = []
    original = ListSource.page

    def spy(self, index):  # noqa: ANN001
        asked.append(index)
        return original(self, index)

    monkeypatch.setattr(ListSource, "page", spy)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_customers(pilot)
        assert table.row_count == 5004
        await pilot.press("end")
        await settle(pilot)  # the last page is read in a worker, then painted
        assert table.current_row["name"] == "张伟"
        await pilot.press("pageup")
        await settle(pilot)
    assert len(set(asked)) <= 6  # first pages, the last one or two: never all 101


async def test_a_table_page_is_never_read_on_the_ui_thread(app, book, monkeypatch):
    import threading

    from crm_tui.storage.engine import connect
    from crm_tui.storage.listing import ListSource

    db, _ = book
    conn = connect(db.path)
    stamp = "2026-11-01 00:00:00.000000"
    conn.executemany(
        "INSERT INTO customer(id, created_at, updated_at, name, sort_key) VALUES (?, ?, ?, ?, ?)",
        [(f"bulk{i:05d}", stamp, stamp, f"Bulk {i:05d}", f"bulk {i:05d}") for i in range(500)],
    )
    conn.close()
    threads: list[str] = []
    original = ListSource.page

    def spy(self, index):  # noqa: ANN001
        threads.append(threading.current_thread().name)
        return original(self, index)

    monkeypatch.setattr(ListSource, "page", spy)
    async with app.run_test(size=(100, 30)) as pilot:
        main = threading.current_thread().name
        table = await open_customers(pilot)
        for key in ("pagedown", "pagedown", "end", "home", "pagedown"):
            await pilot.press(key)
            await pilot.pause()  # paints with placeholders while the pages are read
        await settle(pilot)
        assert table.current_row is not None
        await pilot.press("slash", *"bulk 004")
        await settle(pilot)
    assert len(threads) > 3
    assert main not in threads
