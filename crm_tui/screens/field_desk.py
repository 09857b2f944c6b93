"""Provides the desk's issue-18 panels, light enough for the desk (no ORM): "Going to the
pool" (the rep's customers inside the pool rules' warning window, soonest first) and the
"This month" panel against this month's targets, with a bar and the pace needed.
Called from screens/desk.py's load worker, after the first paint.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from crm_tui.screens.targets import progress_table


def show_going(screen: Any, leaving: list[Any], desk_list: type) -> None:
    """The desk's "Going to the pool" panel: the rep's customers inside the warning window,
    soonest first; shown only when there is one. `enter` opens the customer."""
    from crm_tui.services.desk import DeskItem

    found = screen.query("#going-to-pool")
    if not leaving:
        found.remove()
        return
    widget = (
        found.first(desk_list) if found else desk_list(id="going-to-pool", classes="desk-section")
    )
    widget.border_title = f"Going to the pool ({len(leaving)})"
    if not found:
        screen.query_one("#desk-grid").mount(widget, before=screen.query_one("#numbers"))
    items = [
        DeskItem("customer", x.customer_id, x.when, x.name, "follow up to keep it", x.customer_id)
        for x in leaving
    ]
    widget.show(items, "")


def show_targets(screen: Any, lines: list[Any], currency: str) -> None:
    """The desk's "This month" panel: the figures against this month's targets, with the
    pace needed (replaces the month-on-month table while a target is set)."""
    if not lines:
        return
    numbers = screen.query_one("#numbers", Static)
    numbers.border_title = "This month against targets"
    numbers.update(progress_table(lines, currency))
