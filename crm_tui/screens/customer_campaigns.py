"""Provides `CustomerCampaignsPane`: the customer page's "Campaigns" tab (issue 16) — the
campaigns its people were invited to, registered for or came to, with their status and
when; `enter` opens the campaign.

The customer page (screens/customer_detail.py) yields this pane in its tabs; the pane
handles its own keys and row selection, so the page's per-tab actions never see it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import TabPane

from crm_tui.domain.filter import Filter, OneOf
from crm_tui.services import campaigns, lists
from crm_tui.services.book import Book
from crm_tui.widgets.deliver import deliver
from crm_tui.widgets.record_table import Column, RecordTable

TAB_ID = "campaigns"
KEY = "i"
TITLE = "Campaigns"


class CustomerCampaignsPane(TabPane):
    """The customer's people on campaigns; `enter` opens the campaign."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "hint", "Add", show=False),
        Binding("E", "hint", "Edit row", show=False),
    ]

    def __init__(self, book: Book, customer_id: str) -> None:
        super().__init__(f"{TITLE} \\[{KEY}]", id=TAB_ID)
        self.book = book
        self.customer_id = customer_id
        self.names: dict[str, str] = {}  # campaign id -> name, read in a worker

    def compose(self) -> ComposeResult:
        where = Filter("campaign_member", (OneOf("customer_id", (self.customer_id,)),))
        yield RecordTable(
            [
                Column("campaign_id", "Campaign", 0, text=self._campaign),
                Column("name", "Person", 14),
                Column("status", "Status", 10, text=lambda r: str(r["status"]).replace("_", "-")),
                Column("source", "Source", 10, text=lambda r: str(r["source"]).replace("_", "-")),
            ],
            lists.source(self.book, "campaign_member", where),
            id=f"table-{TAB_ID}",
            noun="campaigns",
            empty="Not on any campaign yet (i on a campaign invites people).",
        )

    def on_mount(self) -> None:
        self._load_names()

    @work(thread=True, exclusive=True, group="customer-campaigns", exit_on_error=False)
    def _load_names(self) -> None:
        names = campaigns.names(self.book)
        deliver(self.app, self._named, names)

    def _named(self, names: dict[str, str]) -> None:
        self.names = names
        self.query_one(RecordTable).refresh()

    def _campaign(self, row: dict[str, Any]) -> str:
        return self.names.get(str(row.get("campaign_id")), "…")

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        from crm_tui.screens.campaign_detail import CampaignDetailScreen

        event.stop()  # the page's handler knows only its own tabs
        campaign_id = str(event.row.get("campaign_id"))
        self.app.push_screen(
            CampaignDetailScreen(self.book, campaign_id),
            lambda _: self.query_one(RecordTable).reload(),
        )

    def action_hint(self) -> None:
        self.notify(
            "People join a campaign from the campaign (ctrl+p Campaigns: i invites, r "
            "registers, d the registration desk); enter opens one.",
            severity="information",
        )
