"""Provides `CampaignsScreen` (市场活动, issue 16): every campaign on the lazy table with the
`/` bar (`status:open start:+0d..+30d kind:exhibition`) and saved views; `n` adds one, `e`
edits it, `enter` opens its members (screens/campaign_detail.py), `d` opens the
registration desk for it (screens/check_in_desk.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from crm_tui.screens.contracts import money_cell
from crm_tui.screens.simple_list import SimpleListScreen
from crm_tui.services import campaigns
from crm_tui.widgets.record_table import Column

CAMPAIGN_FIELDS = ["name", "kind", "status", "starts_on", "ends_on", "place", "budget", "notes"]


def status_cell(row: dict[str, Any]) -> str:
    return str(row.get("status") or "").replace("_", " ")


class CampaignsScreen(SimpleListScreen):
    """Campaigns by start date."""

    entity = "campaign"
    noun = "campaigns"
    CSS_PATH = "marketing.tcss"
    form_fields = CAMPAIGN_FIELDS
    summary = "Campaigns · enter members · d registration desk · n new"
    placeholder = "/ filter: status:open start:+0d..+30d kind:exhibition"
    order = ["starts_on", "id"]
    extra_bindings: ClassVar[list[BindingType]] = [
        Binding("d", "desk", "Desk", id="campaigns.desk", tooltip="Registration desk (check-in)"),
    ]
    add_record = staticmethod(campaigns.add_campaign)
    get_record = staticmethod(campaigns.get)
    edit_record = staticmethod(campaigns.edit)

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

    def added(self, record: Any) -> None:
        # Like the CLI: a second campaign of one name is kept, with a warning.
        if record is not None and (warning := campaigns.namesake_warning(self.book, record)):
            self.notify(warning, severity="warning", timeout=8)
        self.saved(record)

    def open_row(self, row_id: str) -> None:
        from crm_tui.screens.campaign_detail import CampaignDetailScreen

        self.app.push_screen(CampaignDetailScreen(self.book, row_id), lambda _: self.reload())

    def action_desk(self) -> None:
        from crm_tui.screens.check_in_desk import CheckInDeskScreen

        row = self.table.current_row
        if row is not None:
            self.app.push_screen(CheckInDeskScreen(self.book, str(row["id"])))
