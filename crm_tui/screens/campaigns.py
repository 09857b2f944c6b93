"""Provides `CampaignsScreen` (市场活动, issue 16): every campaign on the lazy table with the
`/` bar (`status:open start:+0d..+30d kind:exhibition`) and saved views; `n` adds one, `e`
edits it, `enter` opens its members (screens/campaign_detail.py), `d` opens the
registration desk for it (screens/check_in_desk.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from crm_tui.screens.base import ListScreen
from crm_tui.screens.contracts import money_cell
from crm_tui.screens.forms import RecordForm
from crm_tui.services import campaigns
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

CAMPAIGN_FIELDS = ["name", "kind", "status", "starts_on", "ends_on", "place", "budget", "notes"]


def status_cell(row: dict[str, Any]) -> str:
    return str(row.get("status") or "").replace("_", " ")


class CampaignsScreen(ListScreen):
    """Campaigns by start date."""

    entity = "campaign"
    noun = "campaigns"
    undo_entity = "campaign"
    CSS_PATH = "marketing.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="campaigns.new", tooltip="Add a campaign"),
        Binding("e", "edit", "Edit", id="campaigns.edit", tooltip="Edit this campaign"),
        Binding("d", "desk", "Desk", id="campaigns.desk", tooltip="Registration desk (check-in)"),
        Binding("slash", "focus_query", "Filter", id="campaigns.filter"),
        Binding("escape", "back", "Back", id="campaigns.back", tooltip="Close this list"),
    ]

    def make_source(self) -> Any:
        from crm_tui.services import lists

        return lists.source(
            self.book, self.entity, self.opening_filter(), order=["starts_on", "id"]
        )

    def columns(self) -> list[Column]:
        return [
            Column("starts_on", "Start", 10),
            Column("ends_on", "End", 10, drop=3),
            Column("name", "Campaign", 0),
            Column("kind", "Kind", 11, drop=1),
            Column("status", "Status", 9, "left", status_cell),
            Column("place", "Place", 10, drop=2),
            Column("budget", "Budget", 13, "right", money_cell("budget"), drop=4),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static(
            "Campaigns · enter members · d registration desk · n new", classes="section-summary"
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(
            "#query", QueryBar
        ).placeholder = "/ filter: status:open start:+0d..+30d kind:exhibition"

    def action_new(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                "campaign",
                title="New campaign",
                fields=CAMPAIGN_FIELDS,
                save=lambda values: campaigns.add_campaign(book, values),
                book=book,
            ),
            self._created,
        )

    def _created(self, record: Any) -> None:
        # Like the CLI: a second campaign of one name is kept, with a warning.
        if record is not None and (warning := campaigns.namesake_warning(self.book, record)):
            self.notify(warning, severity="warning", timeout=8)
        self._saved(record)

    def action_edit(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        book, row_id = self.book, str(row["id"])
        record = campaigns.get(book, row_id)
        if record is None:
            return
        self.app.push_screen(
            RecordForm(
                "campaign",
                title=f"Campaign: {record.name}",
                initial=record.model_dump(),
                fields=CAMPAIGN_FIELDS,
                save=lambda changes: campaigns.edit(book, row_id, changes),
                book=book,
            ),
            self._saved,
        )

    def action_desk(self) -> None:
        from crm_tui.screens.check_in_desk import CheckInDeskScreen

        row = self.table.current_row
        if row is not None:
            self.app.push_screen(CheckInDeskScreen(self.book, str(row["id"])))

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        from crm_tui.screens.campaign_detail import CampaignDetailScreen

        self.app.push_screen(CampaignDetailScreen(self.book, event.row_id), lambda _: self.reload())

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Saved {record.name}.")
            self.reload()

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
