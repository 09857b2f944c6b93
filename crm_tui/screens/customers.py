"""Provides `CustomersScreen`: every customer in a lazy table, filtered as the rep types."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from crm_tui.screens.base import ListScreen
from crm_tui.screens.insight import SEGMENT_COLUMN
from crm_tui.screens.urgency_sort import UrgencySort, sort_binding
from crm_tui.widgets.record_table import Column, RecordTable

CUSTOMER_FIELDS = [
    "name",
    "kind",
    "status",
    "grade",
    "city",
    "phone",
    "email",
    "industry",
    "source",
    "address",
    "website",
    "tags",
    "birthday",
    "notes",
]


def _tags(row: dict[str, Any]) -> str:
    return " ".join(f"+{t}" for t in (row.get("tags") or "").split(",") if t)


class CustomersScreen(UrgencySort, ListScreen):
    """Customers sorted by name (pinyin for Chinese names) or most urgent first (`s`); `/`
    filters, `enter` opens."""

    entity = "customer"
    noun = "customers"
    undo_entity = "customer"
    own_order = "name"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "focus_query",
            "Filter",
            id="customers.filter",
            tooltip="Filter with the query language, e.g. city:北京 grade:A",
        ),
        Binding("escape", "focus_table", "List", show=False),
        Binding("n", "new", "New", id="customers.new", tooltip="Add a customer"),
        Binding("e", "edit", "Edit", id="customers.edit", tooltip="Edit this customer"),
        sort_binding("customers"),
    ]

    def make_source(self) -> Any:
        if self.by_urgency:
            return self.urgency_source(self.base_filter())
        return super().make_source()

    def columns(self) -> list[Column]:
        return self.with_urgency(
            [
                Column("name", "Name"),
                Column("city", "City", 10),
                Column("status", "Status", 9),
                Column("grade", "Gr", 2),
                Column("phone", "Phone", 15),
                Column("tags", "Tags", 12, text=_tags),
                SEGMENT_COLUMN,  # RFM group, '!' at high churn risk (issue 22)
            ]
        )

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.shell.open_record("customer", event.row_id)

    def action_new(self) -> None:
        from crm_tui.screens.forms import RecordForm
        from crm_tui.services import records

        book = self.book
        self.app.push_screen(
            RecordForm(
                "customer",
                title="New customer",
                fields=CUSTOMER_FIELDS,
                save=lambda values: records.create(book, "customer", values),
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        from crm_tui.screens.forms import RecordForm
        from crm_tui.services import records

        row = self.table.current_row
        if row is None:
            return
        book = self.book
        record = records.get(book, "customer", row["id"])
        if record is None:
            return
        self.app.push_screen(
            RecordForm(
                "customer",
                title=f"Edit {record.name}",
                initial=record.model_dump(),
                fields=CUSTOMER_FIELDS,
                save=lambda changes: records.update(book, "customer", record.id, changes),
            ),
            self._saved,
        )

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Saved {record.name}.")
            self.table.reload()
            self.shell.refresh_status()
