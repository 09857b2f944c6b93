"""Provides the desk's "Reports & contacts" panel (issue 17): today's report not written
(enter writes it) and the customers not contacted for their grade's days (enter opens the
customer). The desk (screens/desk.py) calls `show_office` from its load worker's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm_tui.services.desk import DeskItem
from crm_tui.services.office_desk import OfficeDesk

PANEL_ID = "office"


def office_items(data: OfficeDesk) -> list[DeskItem]:
    items = [
        DeskItem("work_report", draft or "-", p.label, f"{p.kind} report not written", "enter")
        for p, draft in data.reports
    ]
    for q in data.quiet:
        when = f"{q.days}d" if q.days is not None else "never"
        items.append(DeskItem("customer", q.id, when, q.name, f"grade {q.grade}, not contacted"))
    return items


def show_office(screen: Any, data: OfficeDesk, make_list: Callable[..., Any]) -> None:
    """Mount (or update, or remove when empty) the panel; `make_list` is the desk's list."""
    found = screen.query(f"#{PANEL_ID}")
    items = office_items(data)
    if not items:
        found.remove()
        return
    widget = found.first() if found else make_list(id=PANEL_ID, classes="desk-section")
    quiet = f" · {data.quiet_total:,} not contacted" if data.quiet_total else ""
    widget.border_title = f"Reports & contacts{quiet}"
    if not found:
        screen.query_one("#desk-grid").mount(widget, before=screen.query_one("#numbers"))
    widget.show(items, "")
