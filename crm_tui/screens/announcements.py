"""Provides `AnnouncementsScreen`: the team's news, newest first, with the text under the list.

Everyone reads; managers (`db.role == "manager"`) also write them with `n`. Reached from the
command palette (`show_announcements`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from crm_tui.screens import ListScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.opportunities import refresh_status
from crm_tui.widgets.record_table import Column, RecordTable

if TYPE_CHECKING:
    from textual.app import App

    from crm_tui.storage.database import Database


def _published(db: Database) -> Any:
    def cell(row: dict[str, Any]) -> str:
        moment = row.get("published_at")
        return db.clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

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
    def is_manager(self) -> bool:
        return self.db.role == "manager"

    def make_source(self) -> Any:
        from crm_tui.storage.listing import ListSource

        return ListSource(self.db, self.entity, where=self.base_filter(), descending=True)

    def columns(self) -> list[Column]:
        return [
            Column("published_at", "Published", 16, text=_published(self.db)),
            Column("title", "Title", 0),
        ]

    def compose_top(self) -> ComposeResult:
        hint = "" if self.is_manager else " (managers write them)"
        yield Static(f"Announcements{hint}", classes="section-summary")

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        with VerticalScroll(id="announcement-body"):
            yield Markdown("", id="announcement-text")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query").placeholder = "/ filter: any word"  # type: ignore[attr-defined]
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
        if action == "new" and not self.is_manager:
            return False
        return True

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_new(self) -> None:
        if not self.is_manager:
            self.notify("Only managers write announcements.", severity="warning")
            return
        repo = self.db.repos.announcements

        def save(values: dict[str, str]) -> Any:
            return repo.create(values | {"published_at": self.db.clock.now()})

        self.app.push_screen(
            RecordForm(
                "announcement",
                title="New announcement",
                fields=["title", "body"],
                save=save,
                db=self.db,
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
    db: Database = app.db  # type: ignore[attr-defined]
    app.push_screen(AnnouncementsScreen(db))
