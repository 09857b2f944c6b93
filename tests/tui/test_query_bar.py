"""The `/` query bar and the saved-views sidebar, driven with Pilot over a real database."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from crm_tui.screens.customers import CustomersScreen
from crm_tui.services.views import (
    QueryHistory,
    SavedViewStore,
    distinct_values,
    ensure_default_views,
)
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import RecordTable
from crm_tui.widgets.saved_views import SavedViews
from tests.tui.pilot import settle

pytestmark = pytest.mark.anyio


class BarApp(App[None]):
    """Just the bar, recording what it posts."""

    def __init__(self, db, values=None, debounce: float = 0.05) -> None:  # noqa: ANN001
        super().__init__()
        self.db = db
        self.values = values
        self.debounce = debounce
        self.sent: list[str] = []

    def compose(self) -> ComposeResult:
        yield QueryBar(
            entity="customer",
            screen_key="customer",
            values=self.values,
            history=QueryHistory(self.db),
            debounce=self.debounce,
        )

    def on_query_bar_query_changed(self, event: QueryBar.QueryChanged) -> None:
        self.sent.append(event.text)


async def test_typing_is_debounced_into_one_query(book):
    db, _ = book
    app = BarApp(db, debounce=1.0)  # long enough that the keys always fall inside it
    async with app.run_test() as pilot:
        await pilot.press(*"grade:A")
        assert app.sent == []
        await pilot.pause(1.3)
        assert app.sent == ["grade:A"]


async def test_enter_sends_at_once_and_history_walks_back_and_forth(book):
    db, _ = book
    app = BarApp(db)
    async with app.run_test() as pilot:
        bar = app.query_one(QueryBar)
        for text in ("city:北京", "grade:A"):
            bar.value = ""
            await pilot.press(*text, "enter")
        await pilot.pause(0.2)
        assert app.sent[-1] == "grade:A"
        bar.value = "draft"
        await pilot.press("up")
        assert bar.value == "grade:A"
        await pilot.press("up")
        assert bar.value == "city:北京"
        await pilot.press("up")
        assert bar.value == "city:北京"  # the oldest stays
        await pilot.press("down", "down")
        assert bar.value == "draft"
    assert QueryHistory(db).load("customer") == ["city:北京", "grade:A"]


async def test_history_is_kept_per_screen_across_runs(book):
    db, _ = book
    QueryHistory(db).add("customer", "+vip")
    QueryHistory(db).add("activity", "due:today")
    app = BarApp(db)
    async with app.run_test() as pilot:
        await pilot.press("up")
        assert app.query_one(QueryBar).value == "+vip"


async def test_tab_completes_field_names_and_values(book):
    db, _ = book
    app = BarApp(db, values=lambda field, prefix: distinct_values(db, "customer", field, prefix))
    async with app.run_test() as pilot:
        bar = app.query_one(QueryBar)
        await pilot.press(*"gra", "tab")
        assert bar.value == "grade:"
        await pilot.press("tab")  # A, B, C: the first, then cycle
        assert bar.value == "grade:A"
        await pilot.press("tab")
        assert bar.value == "grade:B"
        bar.value = ""
        await pilot.press(*"cit", "tab", *"北", "tab")
        assert bar.value == "city:北京"
        bar.value = ""
        await pilot.press(*"stage:", "tab")  # customers have no stage: nothing, focus moves
        assert bar.value == "stage:"


async def test_tab_completes_tags_after_a_comma(book):
    db, _ = book
    app = BarApp(db, values=lambda field, prefix: distinct_values(db, "customer", field, prefix))
    async with app.run_test() as pilot:
        bar = app.query_one(QueryBar)
        await pilot.press(*"tags:vip,ex", "tab")
        assert bar.value == "tags:vip,export"


async def test_error_shows_inline_and_clears(book):
    db, _ = book
    app = BarApp(db)
    async with app.run_test():
        bar = app.query_one(QueryBar)
        bar.show_error("unknown field 'cty' at column 1; did you mean city?")
        assert bar.has_class("-error") and "cty" in str(bar.border_subtitle)
        bar.clear_error()
        assert not bar.has_class("-error") and bar.error is None


async def wait_for(pilot, check, seconds: float = 5.0) -> bool:  # noqa: ANN001
    """Let the debounce timer, the query and the table's load run (slow on a busy machine)."""
    for _ in range(int(seconds / 0.1)):
        await settle(pilot)
        if check():
            return True
        await pilot.pause(0.1)
    return check()


async def open_customers(pilot) -> RecordTable:  # noqa: ANN001
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomersScreen)
    return pilot.app.screen.query_one(RecordTable)


async def test_typing_in_the_bar_filters_and_an_error_keeps_the_list(app):
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_customers(pilot)
        await pilot.press("slash", *"grade:A,B")
        ok = await wait_for(pilot, lambda: table.row_count == 2)
        bar = app.screen.query_one(QueryBar)
        assert ok, (bar.value, bar.error, app.screen.query_text, table.row_count)
        bar.value = "grade:A,B cty:x"  # one edit: typed key by key, 'c' alone is a search
        assert await wait_for(pilot, lambda: "did you mean city?" in (bar.error or ""))
        assert table.row_count == 2


async def test_saved_view_round_trip(app, book):
    db, _ = book
    async with app.run_test(size=(110, 30)) as pilot:
        table = await open_customers(pilot)
        all_rows = table.row_count
        await pilot.press("slash", *"+vip")
        assert await wait_for(pilot, lambda: table.row_count < all_rows)
        vip_rows = table.row_count
        await pilot.press("escape", "v")
        sidebar = app.screen.query_one(SavedViews)
        assert sidebar.has_class("-shown")
        names = [v.name for v in sidebar.views]
        assert names[0] == "A customers not contacted in 30 days"  # pinned first
        assert "Valuable customers at risk" in names and len(names) == 10  # + RFM groups
        await pilot.press("s", *"VIPs", "enter")
        assert "VIPs" in [v.name for v in sidebar.views]
        stored = [v for v in SavedViewStore(db).list("customer") if v.name == "VIPs"]
        assert stored[0].query == "+vip" and db.pending_changes() > 0  # a synced record
        # bind it to f5 and pin it
        sidebar.options.highlighted = [v.name for v in sidebar.views].index("VIPs")
        await pilot.press("k", *"f5", "enter", "p")
        view = next(v for v in SavedViewStore(db).list("customer") if v.name == "VIPs")
        assert view.key == "f5" and view.pinned
        # clear the query, then run the view from the sidebar and from its key
        bar = app.screen.query_one(QueryBar)
        bar.value = ""
        assert await wait_for(pilot, lambda: table.row_count > vip_rows)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: table.row_count == vip_rows)
        assert bar.value == "+vip"
        bar.value = ""
        assert await wait_for(pilot, lambda: table.row_count > vip_rows)
        table.focus()
        await pilot.press("f5")
        assert await wait_for(pilot, lambda: table.row_count == vip_rows)
        assert bar.value == "+vip"


async def test_binding_an_unknown_key_is_refused_inline(app, book):
    db, _ = book
    ensure_default_views(db)
    async with app.run_test(size=(110, 30)) as pilot:
        await open_customers(pilot)
        await pilot.press("v", "k", *"x", "enter")
        sidebar = app.screen.query_one(SavedViews)
        assert "f2-f12" in str(sidebar.query_one("#views-note").render())


async def test_pinned_views_show_on_the_desk_and_open_their_screen(book):
    from crm_tui.app import make_app
    from crm_tui.screens.desk import DeskList

    db, _ = book
    store = SavedViewStore(db)
    store.save("customer", "VIPs", "+vip")
    vip = next(v for v in store.list("customer") if v.name == "VIPs")
    store.toggle_pin(vip.id)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pinned = app.screen.query_one("#views", DeskList)
        names = [str(o.prompt) for o in pinned.options]
        assert any(n.startswith("VIPs") for n in names)
        assert any(n.startswith("Closing this month") for n in names)  # a pinned default
        pinned.focus()
        pinned.highlighted = next(i for i, n in enumerate(names) if n.startswith("VIPs"))
        await pilot.press("enter")
        assert await wait_for(
            pilot,
            lambda: isinstance(app.screen, CustomersScreen) and app.screen.query_text == "+vip",
        )
        table = app.screen.query_one(RecordTable)
        assert await wait_for(pilot, lambda: table.row_count == 2)


@pytest.mark.parametrize(
    ("text", "waits"),
    [
        ("c", True),
        ("acme c", True),
        ("-x", True),
        ("city:", True),
        ("amount>", True),
        ("ci", False),
        ("张", False),
        ("city:北", False),
        ("acme ", False),
        ("", False),
    ],
)
def test_tokens_still_being_typed_are_not_run(text, waits):
    from crm_tui.widgets.query_bar import mid_token

    assert mid_token(text) is waits


async def test_enter_runs_even_a_one_letter_query(book):
    db, _ = book
    app = BarApp(db)
    async with app.run_test() as pilot:
        await pilot.press("c")
        await pilot.pause(0.3)
        assert app.sent == []
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.sent == ["c"]


def test_completion_offers_relative_dates_and_special_values(book):
    db, _ = book
    bar = QueryBar(entity="activity")
    assert bar.candidates("due:t")[1] == ["today", "tomorrow"]
    assert bar.candidates("due:o")[1] == ["overdue"]
    assert bar.candidates("status:")[1] == ["open", "done", "overdue"]
    assert bar.candidates("-kind:v")[1] == ["visit"]
    assert "customer.city:" not in bar.candidates("cust")[1]
    assert "customer:" in bar.candidates("cust")[1]


async def test_enter_runs_the_query_and_moves_to_the_list(app):
    """Issue 13 item 12: enter in `/` runs the query and focuses the list (the bar's hint
    says so); closing the Views sidebar puts focus on the list, so the next key does not
    replace the query's selected text."""
    from crm_tui.widgets.record_table import RecordTable

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        bar = app.screen.query_one("#query", QueryBar)
        assert "enter: run, then the list" in bar.placeholder
        await pilot.press("slash", *"due:overdue", "enter")
        await settle(pilot)
        assert isinstance(app.focused, RecordTable)
        assert bar.value == "due:overdue"
        await pilot.press("slash", *"cty:x", "enter")  # refused: stay in the bar to fix it
        await settle(pilot)
        assert app.focused is bar and bar.error
        await pilot.press("escape")
        await pilot.press("v")
        await settle(pilot)
        sidebar = app.screen.query_one("#views", SavedViews)
        assert sidebar.has_class("-shown")
        await pilot.press("escape")
        await settle(pilot)
        assert not sidebar.has_class("-shown")
        assert isinstance(app.focused, RecordTable)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("v")  # v again closes it too
        await settle(pilot)
        assert isinstance(app.focused, RecordTable)


async def test_opening_the_views_sidebar_writes_nothing(app, book):
    """Issue 13 item 20: the default views are shown, not stored: nothing queued to sync."""
    from sqlalchemy import text

    db, _ = book

    def outbox() -> int:
        with db.reading() as s:
            return s.execute(text("SELECT count(*) FROM outbox")).scalar_one()

    before = outbox()
    async with app.run_test(size=(120, 40)) as pilot:
        for section in ("2", "3", "4", "5"):
            await pilot.press(section)
            await settle(pilot)
            await pilot.press("v")
            await settle(pilot)
            assert app.screen.query_one("#views", SavedViews).views  # the defaults show
            await pilot.press("escape")
            await settle(pilot)
    assert outbox() == before
