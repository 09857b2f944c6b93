"""Provides `DuplicatesScreen`: customers two reps both claim (the server flags the same
normalised name, phone or e-mail), with both owners and what matched.

`o` / `O` open the customer on the left / right. A manager merges (`m` keeps the left one,
`M` keeps the right one; a dialog names the one that stays) or reassigns the left one to a
team member (`g`). Both are server-checked commands that go with the next sync. Reps see
the list read-only, with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from crm_tui.domain.fields import ValidationErrors
from crm_tui.screens.base import CrmScreen
from crm_tui.screens.pickers import ChoiceScreen, ConfirmScreen
from crm_tui.screens.shell import book_of, book_ready
from crm_tui.services import duplicates, records
from crm_tui.widgets.deliver import deliver
from crm_tui.widgets.status_bar import SyncStatusChanged

if TYPE_CHECKING:
    from textual.app import App

    from crm_tui.services.book import Book
    from crm_tui.services.duplicates import Clash


class DuplicatesScreen(CrmScreen):
    """One row per clash: customer, owner, the other customer, its owner, what matched."""

    CSS_PATH = "sync_views.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open(False)", "Open", id="duplicates.open", tooltip="Open this customer"),
        Binding(
            "O", "open(True)", "Open other", id="duplicates.open_other", tooltip="Open the other"
        ),
        Binding(
            "m",
            "merge(False)",
            "Merge, keep this",
            id="duplicates.merge",
            tooltip="Merge the other customer into this one (managers)",
        ),
        Binding(
            "M",
            "merge(True)",
            "Merge, keep other",
            id="duplicates.merge_other",
            tooltip="Merge this customer into the other one (managers)",
        ),
        Binding(
            "g",
            "reassign",
            "Reassign",
            id="duplicates.reassign",
            tooltip="Give this customer to another team member (managers)",
        ),
        Binding("escape", "back", "Back", id="duplicates.back"),
    ]

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.clashes: list[Clash] = []
        self.loaded = False  # False while a reload is under way

    def compose_body(self) -> ComposeResult:
        yield Static("", id="duplicates-summary", classes="section-summary")
        yield DataTable(id="duplicates-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Customer", "Owner", "Other customer", "Other's owner", "Matched", "")
        self.reload()
        table.focus()

    @property
    def manager(self) -> bool:
        return duplicates.may_settle(self.book)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("merge", "reassign"):
            return self.manager and self.current is not None
        if action == "open":
            return self.current is not None
        return True

    def reload(self) -> None:
        """Re-read the clashes in a thread worker; the steps wait until they are shown."""
        self.loaded = False
        self.refresh_bindings()
        self._load()

    @work(thread=True, exclusive=True, group="duplicates", exit_on_error=False)
    def _load(self) -> None:
        found = duplicates.clashes(self.book)
        if not get_current_worker().is_cancelled:
            deliver(self.app, self._show, found)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "duplicates" and event.state is WorkerState.ERROR:
            self.notify(f"Cannot read the duplicates: {event.worker.error}", severity="error")

    def _show(self, found: list[Clash]) -> None:
        self.clashes = found
        self.loaded = True
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for c in self.clashes:
            table.add_row(
                c.a_name,
                c.a_owner,
                c.b_name,
                c.b_owner,
                ", ".join(c.matched) or "?",
                "merge queued" if c.merge_queued else "",
                key=f"{c.a_id}|{c.b_id}",
            )
        if self.clashes:
            table.move_cursor(row=min(max(row, 0), len(self.clashes) - 1))
        count = len(self.clashes)
        if not count:
            text = "No duplicate customers: nobody else claims yours."
        elif self.manager:
            text = f"{count} customer(s) claimed twice · m/M merge keeping this/the other"
        else:
            text = f"{count} customer(s) claimed twice · read-only: {duplicates.NOT_MANAGER}"
        self.query_one("#duplicates-summary", Static).update(text)
        self.refresh_bindings()

    @property
    def current(self) -> Clash | None:
        table = self.query_one(DataTable)
        if not self.loaded or not self.clashes or not 0 <= table.cursor_row < len(self.clashes):
            return None
        return self.clashes[table.cursor_row]

    def action_open(self, other: bool) -> None:
        c = self.current
        if c is None:
            return
        row_id = c.b_id if other else c.a_id
        if records.get(self.book, "customer", row_id) is None:
            self.notify("That customer is not on this laptop yet: sync first.", severity="warning")
            return
        self.shell.open_record("customer", row_id)

    def action_merge(self, keep_other: bool) -> None:
        c = self.current
        if c is None:
            return
        kept, kept_owner, gone, gone_owner = (
            (c.b_name, c.b_owner, c.a_name, c.a_owner)
            if keep_other
            else (c.a_name, c.a_owner, c.b_name, c.b_owner)
        )
        survivor, loser = (c.b_id, c.a_id) if keep_other else (c.a_id, c.b_id)
        question = (
            f"Keep '{kept}' ({kept_owner}) and merge '{gone}' ({gone_owner}) into it?\n"
            f"'{gone}' is removed; its contacts, follow-ups, deals and claims move to "
            f"'{kept}', which keeps its own values (the other's are noted)."
        )

        def done(yes: bool | None) -> None:
            if yes:
                self._run(lambda: duplicates.merge_by_id(self.book, loser, survivor))

        self.app.push_screen(ConfirmScreen(question, yes="Merge", no="Cancel"), done)

    def action_reassign(self) -> None:
        c = self.current
        if c is None:
            return
        members = self._members()
        if not members:
            self.notify("No team members on this laptop yet: sync first.", severity="warning")
            return

        def done(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            user_id = members[choice[0]]

            def step() -> str:
                duplicates.reassign_by_id(self.book, "customer", c.a_id, user_id)
                return f"Reassign queued: '{c.a_name}' goes to {choice[0]} with the next sync."

            self._run(step)

        self.app.push_screen(
            ChoiceScreen(
                f"Give '{c.a_name}' ({c.a_owner}) to", list(members), allow_other=False, note=False
            ),
            done,
        )

    def _members(self) -> dict[str, str]:
        return records.team_members(self.book)

    def _run(self, step: Any) -> None:
        try:
            message = step()
        except ValidationErrors as exc:
            self.notify("; ".join(e.message for e in exc.errors), severity="warning")
            return
        self.notify(message)
        self.reload()
        self.app.post_message(SyncStatusChanged())

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


def show_duplicates(app: App[Any]) -> None:
    """Open the duplicate customers view over the current screen (a palette entry)."""
    if not book_ready(app):
        app.notify("Opening the database…", timeout=2)
        return
    app.push_screen(DuplicatesScreen(book_of(app)))
