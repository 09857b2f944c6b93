"""Provides `AnnouncementsScreen`: the team's news, newest first, with the text under the list.

Everyone reads; managers and admins (`services.announcements.why_not_publish`, the rule
book's answer) also write them with `n`. Reached from the command palette.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from crm_tui.domain.dates import Clock
from crm_tui.screens.base import ListScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.opportunities import refresh_status
from crm_tui.screens.shell import book_of
from crm_tui.services import announcements
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

if TYPE_CHECKING:
    from textual.app import App


def _published(clock: Clock) -> Any:
    def cell(row: dict[str, Any]) -> str:
        moment = row.get("published_at")
        return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    return cell


class AnnouncementsScreen(ListScreen):
    """Announcements, newest first; the one under the cursor is shown below the list."""

    entity = "announcement"
    noun = "announcements"
    undo_entity = "announcement"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n", "new", "New", id="announcements.new", tooltip="Write an announcement (managers)"
        ),
        Binding("slash", "focus_query", "Filter", id="announcements.filter"),
        Binding("escape", "back", "Back", id="announcements.back", tooltip="Close this list"),
    ]

    @property
    def may_publish(self) -> bool:
        return announcements.why_not_publish(self.book) is None

    def make_source(self) -> Any:
        return announcements.source(self.book)

    def columns(self) -> list[Column]:
        return [
            Column("published_at", "Published", 16, text=_published(self.book.clock)),
            Column("title", "Title", 0),
        ]

    def compose_top(self) -> ComposeResult:
        hint = "" if self.may_publish else " (managers write them)"
        yield Static(f"Announcements{hint}", classes="section-summary")

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        with VerticalScroll(id="announcement-body"):
            yield Markdown("", id="announcement-text")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: any word"
        self.watch(self.table, "cursor_row", self._show_current, init=False)

    def on_record_table_reloaded(self, event: RecordTable.Reloaded) -> None:
        self._show_current()

    def _show_current(self, *_: Any) -> None:
        row = self.table.current_row
        text = ""
        if row is not None:
            text = f"## {row['title']}\n\n{row.get('body') or '_(no text)_'}"
        self.query_one("#announcement-text", Markdown).update(text)

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.query_one("#announcement-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new" and not self.may_publish:
            return False
        return True

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_new(self) -> None:
        reason = announcements.why_not_publish(self.book)
        if reason is not None:
            self.notify(reason[0].upper() + reason[1:] + ".", severity="warning")
            return
        book = self.book
        self.app.push_screen(
            RecordForm(
                "announcement",
                title="New announcement",
                fields=["title", "body"],
                save=lambda values: announcements.publish(book, values),
                book=book,
            ),
            self._saved,
        )

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Published '{record.title}'.")
            self.reload()
            refresh_status(self.app)


def show_announcements(app: App[Any]) -> None:
    """Open the announcements over the current screen (a command palette entry)."""
    app.push_screen(AnnouncementsScreen(book_of(app)))
