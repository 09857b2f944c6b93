"""Provides `ProductsScreen`: the team's price list (code, name, model, unit, list price);
`n` adds a product, `e` or `enter` edits one. Quotes pick their lines from it."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from crm_tui.screens.base import ListScreen
from crm_tui.screens.contracts import money_cell
from crm_tui.screens.forms import RecordForm
from crm_tui.services import products
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

PRODUCT_FIELDS = ["code", "name", "model", "unit", "list_price", "currency", "active"]


class ProductsScreen(ListScreen):
    """Products by name."""

    entity = "product"
    noun = "products"
    undo_entity = "product"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="products.new", tooltip="Add a product"),
        Binding("e", "edit", "Edit", id="products.edit", tooltip="Edit this product"),
        Binding("slash", "focus_query", "Filter", id="products.filter"),
        Binding("escape", "back", "Back", id="products.back", tooltip="Close this list"),
    ]

    def columns(self) -> list[Column]:
        return [
            Column("code", "Code", 10),
            Column("name", "Product", 0),
            Column("model", "Model", 12),
            Column("unit", "Unit", 5),
            Column("list_price", "List price", 14, "right", money_cell("list_price")),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("Price list", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: name, model or code"

    def action_new(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                "product",
                title="New product",
                fields=PRODUCT_FIELDS,
                save=lambda values: products.add_product(book, values),
                book=book,
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        row = self.table.current_row
        if row is not None:
            self._edit(str(row["id"]))

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self._edit(event.row_id)

    def _edit(self, row_id: str) -> None:
        book = self.book
        record = products.find_product(book, row_id)
        self.app.push_screen(
            RecordForm(
                "product",
                title=f"Product: {record.name}",
                initial=record.model_dump(),
                fields=PRODUCT_FIELDS,
                save=lambda changes: products.edit_product(book, row_id, changes),
                book=book,
            ),
            self._saved,
        )

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Saved {record.name}.")
            self.reload()

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
