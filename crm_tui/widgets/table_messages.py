"""Provides the record table's messages: a row chosen, and the count and first rows in.

They keep the `record_table` namespace, so handlers read `on_record_table_row_selected`
and `on_record_table_reloaded` as when they were nested in `RecordTable`.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.widget import Widget


class RowSelected(Message, namespace="record_table"):
    """`enter` (or a click) on a row."""

    def __init__(self, table: Widget, row: dict[str, Any]) -> None:
        super().__init__()
        self.table = table
        self.row = row

    @property
    def row_id(self) -> str:
        return str(self.row["id"])

    @property
    def control(self) -> Widget:
        return self.table


class Reloaded(Message, namespace="record_table"):
    """The count and first rows are in after a (re)load (`exact` False: a lower bound)."""

    def __init__(self, table: Widget, count: int, exact: bool = True) -> None:
        super().__init__()
        self.table = table
        self.count = count
        self.exact = exact

    @property
    def control(self) -> Widget:
        return self.table
