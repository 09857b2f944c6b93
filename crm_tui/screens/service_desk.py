"""Provides the desk's after-sales panels (issue 15), light enough for the desk (no ORM):
"Service visits today" (the engineer's dispatched visits, late ones first) and, for a
manager, "Dispatches to approve". Called from screens/desk.py's load worker after the
first paint; `enter` opens the order."""

from __future__ import annotations

from typing import Any


def show_service(screen: Any, found: Any, desk_list: type) -> None:
    """Mount, refresh or remove the two panels (each shows only when it has a line)."""
    from crm_tui.services.desk import DeskItem

    clock = screen.clock
    panels = (
        ("service-visits", "Service visits today", found.visits, len(found.visits)),
        ("service-waiting", "Dispatches to approve", found.waiting, found.waiting_total),
    )
    for panel_id, title, visits, total in panels:
        present = screen.query(f"#{panel_id}")
        if not visits:
            present.remove()
            continue
        widget = (
            present.first(desk_list) if present else desk_list(id=panel_id, classes="desk-section")
        )
        widget.border_title = f"{title} ({total})"
        if not present:
            screen.query_one("#desk-grid").mount(widget, before=screen.query_one("#numbers"))
        items = [
            DeskItem(
                "service",
                v.id,
                v.when(clock),
                f"{v.customer} · {v.subject}",
                f"{v.number} → {v.engineer}" if panel_id == "service-waiting" else v.number,
                v.customer_id,
            )
            for v in visits
        ]
        widget.show(items, "")
