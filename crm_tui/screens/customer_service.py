"""Provides `CustomerServicePane`: the customer page's "Service" tab (issue 15) — the
customer's service orders, newest planned first (number, planned, status, kind, subject,
cost, rating) and a line naming its service plans; `enter` opens an order, `a` adds one.

The customer page (screens/customer_detail.py) yields this pane in its tabs; the pane
handles its own keys and row selection, so the page's per-tab actions never see it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static, TabPane

from crm_tui.domain import service_rules as rules
from crm_tui.domain.filter import Compare, Filter
from crm_tui.domain.money import format_money
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.service import NEW_FIELDS
from crm_tui.screens.service_detail import ServiceDetailScreen
from crm_tui.services import lists, service_orders, service_plans
from crm_tui.services.book import Book
from crm_tui.widgets.record_table import Column, RecordTable

TAB_ID = "service"
KEY = "v"
TITLE = "Service"


def _cost(row: dict[str, Any]) -> str:
    total = rules.total_cost(row.get("parts_cost"), row.get("travel_cost"), row.get("other_cost"))
    return format_money(total, row.get("currency") or "CNY") if total else ""


class CustomerServicePane(TabPane):
    """The customer's service orders and plans."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", show=False),
    ]

    def __init__(self, book: Book, customer_id: str) -> None:
        super().__init__(f"{TITLE} \\[{KEY}]", id=TAB_ID)
        self.book = book
        self.customer_id = customer_id

    def compose(self) -> ComposeResult:
        clock = self.book.clock
        yield Static("", id="service-plans", classes="section-summary")
        mine = Filter("service", (Compare("customer_id", "=", self.customer_id),))
        yield RecordTable(
            [
                Column("number", "Number", 16),
                Column(
                    "planned_start",
                    "Planned",
                    11,
                    text=lambda r: (
                        clock.to_local(r["planned_start"]).strftime("%y-%m-%d")
                        if r.get("planned_start")
                        else ""
                    ),
                ),
                Column("status", "Status", 11, text=lambda r: rules.label(r.get("status") or "")),
                Column("kind", "Kind", 11),
                Column("subject", "Subject"),
                Column("cost", "Cost", 12, "right", _cost),
                Column("rating", "★", 5, text=lambda r: "★" * (r.get("rating") or 0)),
            ],
            lists.source(
                self.book, "service", mine, order=("planned_start", "id"), descending=True
            ),
            id=f"table-{TAB_ID}",
            noun="service orders",
            empty="No service orders yet (a adds one).",
        )

    def on_mount(self) -> None:
        self._load_plans()

    @work(thread=True, exclusive=True, group="customer-service-plans", exit_on_error=False)
    def _load_plans(self) -> None:
        plans = service_plans.of_customer(self.book, self.customer_id)
        text = " · ".join(
            f"{p.subject}: every {p.every} from {p.starts_on}" + ("" if p.active else " (off)")
            for p in plans
        )
        self.app.call_from_thread(
            self.query_one("#service-plans", Static).update,
            f"Plans: {text}" if text else "No service plan (crm add service-plan).",
        )

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        event.stop()  # the page's handler knows only its own tabs
        self.app.push_screen(
            ServiceDetailScreen(self.book, event.row_id),
            lambda _: self.query_one(RecordTable).reload(),
        )

    def action_add(self) -> None:
        book = self.book

        def saved(result: Any) -> None:
            if result is not None:
                self.query_one(RecordTable).reload()

        self.app.push_screen(
            RecordForm(
                "service",
                title="New service order",
                fields=[f for f in NEW_FIELDS if f != "customer_id"],
                initial={"kind": "repair", "priority": "normal"},
                save=lambda values: service_orders.create(
                    book, {**values, "customer_id": self.customer_id}
                ),
                book=book,
            ),
            saved,
        )
