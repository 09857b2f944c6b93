"""The app shell: sections on 1-5, help, palette, undo, status line, quit."""

from __future__ import annotations

import pytest

from crm_tui.app import make_app
from crm_tui.screens.customer_detail import CustomerDetailScreen
from crm_tui.screens.customers import CustomersScreen
from crm_tui.screens.desk import DeskScreen
from crm_tui.screens.expenses import ExpensesScreen
from crm_tui.screens.followups import FollowUpsScreen
from crm_tui.screens.help import HelpScreen, binding_rows
from crm_tui.screens.opportunities import OpportunitiesScreen
from crm_tui.widgets.status_bar import StatusBar, SyncStatusChanged
from tests.tui.pilot import palette_search, settle

pytestmark = pytest.mark.anyio


async def test_number_keys_switch_sections(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        for key, screen_type in [
            ("2", CustomersScreen),
            ("3", FollowUpsScreen),
            ("4", OpportunitiesScreen),
            ("5", ExpensesScreen),
            ("1", DeskScreen),
        ]:
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type), key


async def test_help_lists_every_binding_and_closes(app):
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {what for _, _, what, _ in binding_rows(app.screen.below)}
        assert {
            "Desk",
            "Customers",
            "Follow-ups",
            "Deals",
            "Expenses",
            "Help",
            "Undo",
            "Quit",
            "Filter",
            "New",
            "Edit",
            "Open",
        } <= listed
        await pilot.press("escape")
        assert isinstance(app.screen, CustomersScreen)


async def test_palette_goes_to_a_customer_by_name(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await palette_search(pilot, "Globex", "Globex Trading")
        await pilot.press("down", "enter")
        await settle(pilot)
        # the first hit may be a command; pick the customer hit explicitly if needed
        assert isinstance(app.screen, CustomerDetailScreen)
        assert app.screen.sub_title == "Globex Trading"


async def test_palette_runs_a_command(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await palette_search(pilot, "go to follow", "Go to follow-ups")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpsScreen)


async def test_undo_reverts_the_last_change_on_this_screen(app, book):
    db, ids = book
    db.repos.customers.update(ids["globex"], {"city": "Lyon"})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert db.repos.customers.require(ids["globex"]).city == "Paris"
        await pilot.press("u")  # next: the seed's last customer creation, not its follow-ups
        await settle(pilot)
        assert db.repos.customers.get(ids["globex"]) is None
        assert db.repos.expenses.count() == 1


async def test_status_line_shows_profile_user_pending_and_sync(app, book):
    db, _ = book
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one(StatusBar).render())
        assert "book" in text and "local" in text and "pending" in text
        assert "never synced" in text
        db.set_state("user_name", "Li Lei")
        db.set_state("last_sync_error", "server unreachable")
        app.post_message(SyncStatusChanged())
        await settle(pilot)  # the figures are read in a worker
        text = str(app.screen.query_one(StatusBar).render())
        assert "Li Lei" in text and "sync failed: server unreachable" in text


async def test_q_quits(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_desk_paints_before_the_database_opens(book, clock):
    db, _ = book
    opened = []

    def slow_open(path, clock):  # noqa: ANN001
        opened.append(path)
        return db

    app = make_app(path=db.path, clock=clock, open_db=slow_open)
    assert not app.book_ready
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert app.book_ready and opened == [db.path]
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)


@pytest.mark.parametrize("key", ["2", "3"])
async def test_a_section_key_waits_for_the_database(book, clock, key):
    db, _ = book
    import threading

    gate = threading.Event()

    def gated_open(path, clock):  # noqa: ANN001
        gate.wait(60)  # released below; the timeout only guards a hung test
        return db

    app = make_app(path=db.path, clock=clock, open_db=gated_open)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, DeskScreen)
        gate.set()
        await settle(pilot)
        assert not isinstance(app.screen, DeskScreen)


async def test_global_keys_are_quiet_over_a_form(app):
    from textual.widgets import Select

    from crm_tui.screens.forms import RecordForm

    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-kind", Select).focus()
        await pilot.press("q", "3", "u")
        await pilot.pause()
        assert app.screen is form and app.is_running


async def test_palette_new_customer_opens_the_form(app):
    from crm_tui.screens.forms import RecordForm

    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await palette_search(pilot, "new customer", "New customer")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        assert app.screen.entity == "customer"


async def test_every_palette_destination_opens_its_screen(app):
    """Each palette entry is a typed callable over the app (screens/routing.py)."""
    from crm_tui.screens.announcements import AnnouncementsScreen
    from crm_tui.screens.approvals import ApprovalsScreen
    from crm_tui.screens.competitors import CompetitorsScreen
    from crm_tui.screens.conflicts import ConflictsScreen
    from crm_tui.screens.duplicates import DuplicatesScreen
    from crm_tui.screens.forms import RecordForm
    from crm_tui.screens.palette import commands

    expected = {
        "Go to customers": CustomersScreen,
        "Go to follow-ups": FollowUpsScreen,
        "Go to deals": OpportunitiesScreen,
        "Go to expenses": ExpensesScreen,
        "Go to desk": DeskScreen,
        "New customer": RecordForm,
        "New follow-up": RecordForm,
        "New expense claim": RecordForm,
        "Deals board": OpportunitiesScreen,
        "Competitors": CompetitorsScreen,
        "Announcements": AnnouncementsScreen,
        "Approvals": ApprovalsScreen,
        "Conflicts": ConflictsScreen,
        "Duplicates": DuplicatesScreen,
    }
    by_title = {c.title: c for c in commands()}
    assert set(expected) <= set(by_title)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for title, screen_type in expected.items():
            by_title[title].run(app)
            await settle(pilot)
            assert isinstance(app.screen, screen_type), title
            if title == "Deals board":
                assert app.screen.board_mode
            elif title == "New customer":
                assert app.screen.entity == "customer"
            while len(app.screen_stack) > 1:  # close what the entry pushed over its section
                app.pop_screen()
                await pilot.pause()


async def test_the_status_line_reads_its_counts_off_the_ui_thread(app, monkeypatch):
    import threading

    from crm_tui.services import sync

    threads: list[str] = []
    original = sync.status

    def spy(book):  # noqa: ANN001
        threads.append(threading.current_thread().name)
        return original(book)

    monkeypatch.setattr(sync, "status", spy)
    async with app.run_test(size=(100, 30)) as pilot:
        main = threading.current_thread().name
        await settle(pilot)
        app.refresh_status()
        await settle(pilot)
        assert "pending" in str(app.screen.query_one(StatusBar).render())
    assert threads and main not in threads


async def test_number_keys_open_the_section_main_screen_from_any_screen(app, book):
    """Issue 13 item 13: `2` on a customer's page shows the customers list, `6` over the
    Approvals view shows Reports (they used to show the pushed page again)."""
    from crm_tui.screens.approvals import ApprovalsScreen
    from crm_tui.screens.reports import ReportsScreen
    from crm_tui.screens.routing import destinations

    _, ids = book
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        app.open_record("customer", ids["acme"])
        await settle(pilot)
        assert isinstance(app.screen, CustomerDetailScreen)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        app.open_record("customer", ids["acme"])
        await settle(pilot)
        await pilot.press("2")  # the same section's key, on its pushed page
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        await pilot.press("6")
        await settle(pilot)
        {d.title: d for d in destinations()}["Approvals"].run(app)
        await settle(pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)


async def test_palette_finds_every_screen_by_name_and_lists_quit_once(app):
    """Issue 13 item 19: Reports, Help, Views and the screens by name; one Quit."""
    from crm_tui.screens.palette import commands

    titles = [c.title for c in commands()]
    for word in ("Reports", "Help", "Saved views", "Desk", "Customers", "Follow-ups", "Deals"):
        assert any(word.lower() in t.lower() for t in titles), word
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        system = [c.title for c in app.get_system_commands(app.screen)]
        assert [t for t in [*titles, *system] if "quit" in t.lower()] == ["Quit"]
        assert "Keys" not in system
        await pilot.press("ctrl+p")
        await pilot.pause()
        await palette_search(pilot, "reports", "Go to reports")
        await pilot.press("enter")
        await settle(pilot)
        from crm_tui.screens.reports import ReportsScreen

        assert isinstance(app.screen, ReportsScreen)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await palette_search(pilot, "saved views", "Saved views")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#views").has_class("-shown")


async def test_help_names_no_widget_and_shows_quit_as_the_footer_does(app):
    """Issue 13 item 11: no `Desklist` heading; Quit once, on `q` as in the footer."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = binding_rows(app.screen)
        wheres = {where for where, *_ in rows}
        assert "DeskList" not in wheres and "The desk panel" in wheres
        assert [key for _, key, what, _ in rows if what == "Quit"] == ["q"]
        await pilot.press("2")
        await settle(pilot)
        rows = binding_rows(app.screen)
        assert not {w for w, *_ in rows} & {"RecordTable", "QueryBar", "SavedViews"}


async def test_at_80x24_the_footer_keeps_help_and_lists_give_names_room(app):
    """Issue 13 item 21: `? Help` shows on every section at 80x24; the deals list hides
    Weighted and % before Customer and Deal shrink under 14 cells; the board shows whole
    stage names and one money format."""
    from crm_tui.widgets.board import Board
    from crm_tui.widgets.footer import CrmFooter

    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("1", "2", "3", "5", "4"):
            await pilot.press(key)
            await settle(pilot)
            footer = app.screen.query_one(CrmFooter)
            footer.render()
            drawn = footer.span_of("help")
            assert drawn is not None, key
            assert drawn[1] <= footer.size.width <= 80, key
        table = app.screen.table
        inner = table.scrollable_content_region.width
        widths = dict(zip([c.key for c in table.columns], table._widths(inner), strict=True))
        assert widths["customer_name"] >= 14 and widths["title"] >= 14, (inner, widths)
        assert widths["weighted"] == 0
        await pilot.press("b")
        await settle(pilot)
        text = str(app.screen.query_one(Board).render())
        assert "NEGOTIATION" in text
        amounts = [w for w in text.split() if w.startswith("¥")]
        assert amounts
        styles = {
            ("k" in a or "M" in a or "G" in a, "." in a and not a[-1].isalpha()) for a in amounts
        }
        assert (
            len({s for s in styles if s != (False, False)}) <= 1
        )  # one way, not ¥1.2M and ¥1,234.00
