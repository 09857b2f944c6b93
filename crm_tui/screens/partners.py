"""Provides `PartnersScreen` (合作伙伴, issue 16): co-organisers, sponsors, venues, resellers
and suppliers on the lazy table with the `/` bar (name, contact person, phone — CJK
substrings too); `n` adds one, `e` or `enter` edits it. Link one to a campaign with
`crm link-partner CAMPAIGN PARTNER` or the campaign's form."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from crm_tui.screens.base import ListScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.services import partners
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

PARTNER_FIELDS = ["name", "kind", "contact_person", "phone", "email", "notes"]


class PartnersScreen(ListScreen):
    """Partners by name."""

    entity = "partner"
    noun = "partners"
    undo_entity = "partner"
    CSS_PATH = "marketing.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="partners.new", tooltip="Add a partner"),
        Binding("e", "edit", "Edit", id="partners.edit", tooltip="Edit this partner"),
        Binding("slash", "focus_query", "Filter", id="partners.filter"),
        Binding("escape", "back", "Back", id="partners.back", tooltip="Close this list"),
    ]

    def make_source(self) -> Any:
        from crm_tui.services import lists

        return lists.source(self.book, self.entity, self.opening_filter(), order=["name", "id"])

    def columns(self) -> list[Column]:
        return [
            Column("name", "Partner", 0),
            Column(
                "kind", "Kind", 13, "left", lambda r: str(r.get("kind") or "").replace("_", "-")
            ),
            Column("contact_person", "Contact", 12, drop=2),
            Column("phone", "Phone", 15, drop=1),
            Column("email", "E-mail", 20, drop=3),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("Partners (合作伙伴)", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: kind:venue or a name"

    def action_new(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                "partner",
                title="New partner",
                fields=PARTNER_FIELDS,
                save=lambda values: partners.add_partner(book, values),
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
        record = partners.get(book, row_id)
        if record is None:
            return
        self.app.push_screen(
            RecordForm(
                "partner",
                title=f"Partner: {record.name}",
                initial=record.model_dump(),
                fields=PARTNER_FIELDS,
                save=lambda changes: partners.edit(book, row_id, changes),
                book=book,
            ),
            self._saved,
        )

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Saved {record.name}.")
            self.reload()

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
