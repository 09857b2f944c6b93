"""Provides `CustomerDocsPane`: the customer page's "Quotes & contracts" tab (issue 19) —
each contract (number, status, amount, received, next instalment due) and each deal's
latest quote (revision, status, total, valid until); `enter` opens one.

The customer page (screens/customer_detail.py) yields this pane in its tabs; the pane
handles its own keys and row selection, so the page's per-tab actions never see it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import TabPane

from crm_tui.domain.money import format_money
from crm_tui.screens.contracts import ContractScreen
from crm_tui.screens.quotes import QuoteScreen
from crm_tui.services import customer_docs
from crm_tui.services.book import Book
from crm_tui.widgets.record_table import Column, RecordTable

TAB_ID = "docs"  # the page's table is "#table-docs", as its own tabs' are
KEY = "o"
TITLE = "Quotes & contracts"


def _money(key: str) -> Any:
    def cell(row: dict[str, Any]) -> str:
        value = row.get(key)
        return "" if value is None else format_money(value, row.get("currency") or "CNY")

    return cell


def _number(row: dict[str, Any]) -> str:
    """A contract's number; a quote's revision, named as one ('quote v2')."""
    number = str(row.get("number") or "")
    return f"quote {number}" if row.get("kind") == "quote" else number


def _due(today: date) -> Any:
    def cell(row: dict[str, Any]) -> str:
        day = str(row.get("next_due") or "")[:10]
        if not day:
            return ""
        if row.get("kind") == "quote":
            return f"valid {day}"
        return f"{day} overdue" if day < today.isoformat() else day

    return cell


class CustomerDocsPane(TabPane):
    """The customer's contracts and latest quotes; `enter` opens a quote or a contract."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "hint", "Add", show=False),
        Binding("E", "hint", "Edit row", show=False),
    ]

    def __init__(self, book: Book, customer_id: str) -> None:
        super().__init__(f"{TITLE} \\[{KEY}]", id=TAB_ID)
        self.book = book
        self.customer_id = customer_id

    def compose(self) -> ComposeResult:
        yield RecordTable(
            [
                Column("number", "Contract/quote", 16, text=_number),
                Column("status", "Status", 10),
                Column("amount", "Amount", 13, "right", _money("amount")),
                Column("received", "Received", 13, "right", _money("received")),
                Column("next_due", "Next due", 18, text=_due(self.book.clock.today())),
                Column("title", "Title"),
            ],
            customer_docs.of_customer(self.book, self.customer_id),
            id=f"table-{TAB_ID}",
            noun="quotes and contracts",
            empty="No quotes or contracts yet (Q on a deal makes one).",
        )

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        event.stop()  # the page's handler knows only its own tabs
        screen = (
            ContractScreen(self.book, event.row_id)
            if event.row.get("kind") == "contract"
            else QuoteScreen(self.book, event.row_id)
        )
        self.app.push_screen(screen, lambda _: self.query_one(RecordTable).reload())

    def action_hint(self) -> None:
        self.notify(
            "Quotes are made on a deal (Q on the deal), contracts from an accepted quote; "
            "enter opens one.",
            severity="information",
        )


def open_docs_tab(screen: Any) -> None:
    """The page's key for this tab."""
    screen.action_tab(TAB_ID)
