"""Provides the desk's "Campaigns this week" panel (issue 16): mounted by the desk like its
other optional panels, shown only when a campaign runs this week; `enter` opens the
campaign's members (from there `d` is the registration desk)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm_tui.services.campaign_desk import WeekCampaign
from crm_tui.services.desk import DeskItem


def show_campaigns(screen: Any, rows: list[WeekCampaign], make_list: Callable[..., Any]) -> None:
    """Mount (or update, or remove when none) the panel; `make_list` is the desk's list
    widget class."""
    found = screen.query("#campaigns")
    if not rows:
        found.remove()
        return
    widget = found.first() if found else make_list(id="campaigns", classes="desk-section")
    widget.border_title = "Campaigns this week"
    if not found:
        screen.query_one("#desk-grid").mount(widget, before=screen.query_one("#numbers"))
    items = [
        DeskItem(
            "campaign",
            row.id,
            f"{row.starts_on:%a %m-%d}",
            row.name,
            f"{row.attended}/{row.registered} in · {row.place}".rstrip(" ·"),
        )
        for row in rows
    ]
    widget.show(items, "")


def open_campaign(screen: Any, campaign_id: str) -> None:
    """`enter` on the panel: the campaign's members (loads the ORM: after the paint)."""
    if not screen.shell.book_ready:
        screen.notify("Opening the database…", timeout=2)
        return
    from crm_tui.screens.campaign_detail import CampaignDetailScreen

    screen.app.push_screen(CampaignDetailScreen(screen.shell.book, campaign_id))


def open_marketing(shell: Any, entity: str, row_id: str) -> None:
    """`open_record` for a campaign (its members) or a partner (the partners list)."""
    if entity == "campaign":
        from crm_tui.screens.campaign_detail import CampaignDetailScreen

        shell.push_screen(CampaignDetailScreen(shell.book, row_id))
        return
    from crm_tui.screens.partners import PartnersScreen

    screen = PartnersScreen(shell.book)
    screen.query_text = f"id:{row_id}"
    shell.push_screen(screen)
