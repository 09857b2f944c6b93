"""The reports screen (key 6): snapshots at 80x24 and 120x40, period and scope keys, opening
a customer going cold. Data: the hand-worked book of tests/reports/book.py (clock fixed)."""

from __future__ import annotations

import shutil
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from crm_tui.domain.dates import Clock
from crm_tui.screens.reports import ReportsScreen
from crm_tui.screens.shell import Shell
from crm_tui.services.book import Book
from crm_tui.storage.database import Database, open_database
from tests.reports.book import NOW, build_book

from .pilot import settle

pytestmark = pytest.mark.anyio


class ReportsHost(Shell):
    """The reports screen alone over a database; records what it asks the app to open."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self._book = Book(db)
        self.opened: list[tuple[str, str]] = []

    @property
    def book(self) -> Book:
        return self._book

    @property
    def book_ready(self) -> bool:
        return True

    def refresh_status(self) -> None:
        pass

    def on_mount(self) -> None:
        self.push_screen(ReportsScreen(self.book))

    def open_record(self, entity: str, row_id: str, customer_id: str | None = None) -> None:
        self.opened.append((entity, row_id))


@pytest.fixture(scope="module")
def book_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports-book") / "book.db"
    build_book(path)[0].close()
    return path


@pytest.fixture
def book_db(book_file: Path, tmp_path: Path) -> tuple[Database, dict[str, str]]:
    """A private copy of the book (tests change the role) and its customers' ids by name."""
    shutil.copy(book_file, tmp_path / "book.db")
    db = open_database(tmp_path / "book.db", Clock(fixed=NOW, zone=UTC))
    return db, {c.name: c.id for c in db.repos.customers.page(limit=10)}


def test_summary_snapshot_80x24(book_db: Any, snap_compare: Any) -> None:
    assert snap_compare(ReportsHost(book_db[0]), terminal_size=(80, 24), run_before=settle)


def test_customers_snapshot_120x40(book_db: Any, snap_compare: Any) -> None:
    async def show_customers(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(ReportsHost(book_db[0]), terminal_size=(120, 40), run_before=show_customers)


def test_opportunities_snapshot_120x40(book_db: Any, snap_compare: Any) -> None:
    async def show(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(ReportsHost(book_db[0]), terminal_size=(120, 40), run_before=show)


async def test_brackets_step_the_period_and_p_changes_its_length(book_db: Any) -> None:
    app = ReportsHost(book_db[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.period.label == "2026-10"
        assert screen._cache[("summary", "2026-10", False)].section("summary").rows[0][1] == 1
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert screen.period.label == "2026-12"
        await pilot.press("p")
        await settle(pilot)
        assert screen.period.label == "2026-Q4"
        report = screen._cache[("summary", "2026-Q4", False)]
        assert report.section("summary").rows[0][1] == 5  # October's call and November's 4


async def test_only_a_manager_switches_to_the_team(book_db: Any) -> None:
    db = book_db[0]
    app = ReportsHost(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await pilot.press("t")
        assert not screen.team  # a rep sees their own figures only
        # ...and the footer does not offer a key that does nothing for them
        assert not [b for b in app.active_bindings.values() if b.binding.action == "team"]
        db.set_state("role", "manager")
        await pilot.press("t")
        await settle(pilot)
        assert screen.team
        team = screen._cache[("summary", "2026-11", True)]
        assert team.scope == "team" and team.section("summary").rows[0][1] == 5


async def test_enter_on_a_customer_going_cold_opens_it(book_db: Any) -> None:
    db, ids = book_db
    app = ReportsHost(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        table = app.screen.query_one(".report-cold", DataTable)
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.opened == [("customer", ids["Initech"])]


async def test_key_6_opens_the_reports_in_the_app(book_db: Any) -> None:
    from crm_tui.app import make_app

    app = make_app(book_db[0])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        assert app.screen.query(".report-section")


async def test_x_exports_the_report_to_the_file_named(book_db: Any, tmp_path: Path) -> None:
    from textual.widgets import Input

    app = ReportsHost(book_db[0])
    target = tmp_path / "deals.html"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        field = app.screen.query_one(Input)
        assert field.value.endswith("opportunities-2026-11-mine.md")
        field.value = str(tmp_path / "deals.pdf")
        await pilot.press("enter")
        await pilot.pause()
        assert "end the file name with .md" in str(app.screen.query_one("#prompt-error").render())
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    page = target.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Win rate" in page


async def test_a_shows_the_receivables_next_to_the_four_reports(book_db: Any) -> None:
    app = ReportsHost(book_db[0])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen) and screen.current == "receivables"
        assert "Receivables" in str(screen.query_one("#reports-title").render())
        assert screen.query("#body-receivables .report-section")
        assert not [n for n in app._notifications if n.severity == "error"]
