"""Provides `PoolScreen`, the customer pool (公海, issue 18): customers nobody owns, newest in
the pool first, under the `/` query (`city:上海 grade:A released:-30d..`); `c` claims the
highlighted one (yours at once, pending until the server agrees).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from crm_tui.domain.filter import Filter
from crm_tui.screens.base import ListScreen
from crm_tui.services import pool
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable


def _day(key: str, clock: Any) -> Any:
    """A stored UTC moment as the rep's local day."""

    def cell(row: dict[str, Any]) -> str:
        value = row.get(key)
        if not value:
            return ""
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return f"{clock.to_local(moment):%Y-%m-%d}"

    return cell


class PoolScreen(ListScreen):
    """The pool: customers without an owner, any rep may claim one."""

    entity = "customer"
    noun = "customers in the pool"
    CSS_PATH = "sections.tcss"
    DEFAULT_CSS = "PoolScreen .section-summary { height: auto; padding: 0 1; background: $boost; }"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "claim", "Claim", id="pool.claim", tooltip="Claim this customer"),
        Binding(
            "a",
            "assign",
            "Assign",
            id="pool.assign",
            tooltip="Managers: give this customer to a team member",
        ),
        Binding("slash", "focus_query", "Filter", id="pool.filter"),
        Binding("R", "rules", "Rules", id="pool.rules", tooltip="The pool rules per grade"),
        Binding("escape", "back", "Back", id="pool.back", tooltip="Close the pool"),
    ]

    def __init__(self, book: Any) -> None:
        super().__init__(book)
        self.members = {v: k for k, v in book.db.repos.users.members().items()}

    def base_filter(self) -> Filter:
        return Filter("customer", pool.IN_POOL)

    def make_source(self) -> Any:
        from crm_tui.services import lists

        return lists.source(
            self.book, "customer", self.opening_filter(), order=["pool_since"], descending=True
        )

    def columns(self) -> list[Column]:
        def previous(row: dict[str, Any]) -> str:
            who = row.get("previous_owner_id")
            return self.members.get(who, who or "") if who else ""

        return [
            Column("name", "Customer", 0),
            Column("grade", "Grade", 5),
            Column("city", "City", 10, drop=2),
            Column("pool_since", "In pool since", 13, text=_day("pool_since", self.book.clock)),
            Column("previous_owner_id", "Previous owner", 14, text=previous, drop=1),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static(
            "The pool (公海): customers nobody follows up — c claims one, R shows the rules",
            classes="section-summary",
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(
            "#query", QueryBar
        ).placeholder = "/ filter: city:上海 grade:A released:-30d.."

    def action_claim(self) -> None:
        row = self.table.current_row
        if row is None:
            self.notify("Highlight a customer in the pool first.", timeout=3)
            return
        book, row_id = self.book, str(row["id"])
        try:
            cust = pool.claim(book, row_id)
        except Exception as exc:  # a refusal the rep reads (cap, reclaim wait, not in pool)
            from crm_tui.screens.contracts import refusal

            self.notify(refusal(exc), severity="error", timeout=6)
            return
        self.notify(f"Claimed {cust.name}: yours now, pending until the next sync.")
        self.reload()

    def action_assign(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        book, row_id = self.book, str(row["id"])
        if not book.actor.manager:
            self.notify("Only a manager assigns from the pool; c claims it.", severity="error")
            return
        from crm_tui.screens.pickers import PromptScreen

        def chosen(name: str | None) -> None:
            if not name:
                return
            try:
                cust = pool.assign(book, row_id, name.strip())
            except Exception as exc:
                from crm_tui.screens.contracts import refusal

                self.notify(refusal(exc), severity="error", timeout=6)
                return
            self.notify(f"Assigned {cust.name} to {name.strip()} (pending until the next sync).")
            self.reload()

        names = ", ".join(sorted(self.members.values()))
        self.app.push_screen(
            PromptScreen(f"Assign {row['name']} to", placeholder=names[:70]), chosen
        )

    def action_rules(self) -> None:
        from crm_tui.screens.pool_rules import PoolRulesScreen

        self.app.push_screen(PoolRulesScreen(self.book))

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.shell.open_record("customer", event.row_id, event.row_id)

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
