"""Provides `CompetitorsScreen`: who the team is up against, with strengths and weaknesses.

Reached from the command palette (`show_competitors`); deals name their competitor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_tui.screens.opportunities import refresh_status
from crm_tui.screens.shell import book_of
from crm_tui.screens.simple_list import SimpleListScreen
from crm_tui.services import competitors
from crm_tui.widgets.record_table import Column

if TYPE_CHECKING:
    from textual.app import App

COMPETITOR_FIELDS = ["name", "strengths", "weaknesses", "notes"]


class CompetitorsScreen(SimpleListScreen):
    """Competitors by name; `n` adds one, `e` or `enter` edits."""

    entity = "competitor"
    noun = "competitors"
    CSS_PATH = "sections.tcss"
    form_fields = COMPETITOR_FIELDS
    summary = "Competitors"
    placeholder = "/ filter: name or any word"
    add_record = staticmethod(competitors.create)
    get_record = staticmethod(competitors.get)
    edit_record = staticmethod(competitors.update)

    def columns(self) -> list[Column]:
        return [
            Column("name", "Competitor", 20),
            Column("strengths", "Strengths", 0),
            Column("weaknesses", "Weaknesses", 0),
        ]

    def saved(self, record: Any) -> None:
        super().saved(record)
        if record is not None:
            refresh_status(self.app)  # the status line counts the pending change


def show_competitors(app: App[Any]) -> None:
    """Open the competitors list over the current screen (a command palette entry)."""
    app.push_screen(CompetitorsScreen(book_of(app)))
