"""Provides `CompetitorsScreen`: who the team is up against, with strengths and weaknesses.

Reached from the command palette (`show_competitors`); deals name their competitor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from crm_tui.screens.base import ListScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.opportunities import refresh_status
from crm_tui.screens.shell import book_of
from crm_tui.services import competitors
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

if TYPE_CHECKING:
    from textual.app import App

COMPETITOR_FIELDS = ["name", "strengths", "weaknesses", "notes"]


class CompetitorsScreen(ListScreen):
    """Competitors by name; `n` adds one, `e` or `enter` edits."""

    entity = "competitor"
    noun = "competitors"
    undo_entity = "competitor"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="competitors.new", tooltip="Add a competitor"),
        Binding("e", "edit", "Edit", id="competitors.edit", tooltip="Edit this competitor"),
        Binding("slash", "focus_query", "Filter", id="competitors.filter"),
        Binding("escape", "back", "Back", id="competitors.back", tooltip="Close this list"),
    ]

    def columns(self) -> list[Column]:
        return [
            Column("name", "Competitor", 20),
            Column("strengths", "Strengths", 0),
            Column("weaknesses", "Weaknesses", 0),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("Competitors", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: name or any word"

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_new(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                "competitor",
                title="New competitor",
                fields=COMPETITOR_FIELDS,
                save=lambda values: competitors.create(book, values),
                book=book,
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        row = self.table.current_row
        if row is not None:
            self._edit(str(row["id"]))

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self._edit(event.row_id)

    def _edit(self, row_id: str) -> None:
        book = self.book
        record = competitors.get(book, row_id)
        if record is None:
            return
        self.app.push_screen(
            RecordForm(
                "competitor",
                title=f"Competitor: {record.name}",
                initial=record.model_dump(),
                fields=COMPETITOR_FIELDS,
                save=lambda changes: competitors.update(book, row_id, changes),
                book=book,
            ),
            self._saved,
        )

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Saved {record.name}.")
            self.reload()
            refresh_status(self.app)


def show_competitors(app: App[Any]) -> None:
    """Open the competitors list over the current screen (a command palette entry)."""
    app.push_screen(CompetitorsScreen(book_of(app)))
