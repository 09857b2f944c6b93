"""Provides `Column` and `fit`: a table column and text cut or padded to a width in
terminal cells (so Chinese text, two cells a character, stays aligned)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rich.cells import cell_len, set_cell_size


@dataclass(frozen=True)
class Column:
    """A column: `width` in cells (0 = share what is left); `text` renders a row's cell;
    `drop` ranks the columns a narrow table hides first (the names keep MIN_FLEX cells)."""

    key: str
    title: str
    width: int = 0
    align: Literal["left", "right"] = "left"
    text: Callable[[dict[str, Any]], str] | None = None
    drop: int = 0  # > 0: hidden on a narrow table, highest first, to give names room

    def cell(self, row: dict[str, Any]) -> str:
        if self.text is not None:
            return self.text(row)
        value = row.get(self.key)
        return "" if value is None else str(value)


def fit(text: str, width: int, align: str = "left") -> str:
    """`text` cut or padded to exactly `width` terminal cells (an ellipsis marks a cut)."""
    if width <= 0:
        return ""
    text = text.replace("\n", " ")
    size = cell_len(text)
    if size > width:
        return set_cell_size(text, width - 1) + "…"
    pad = " " * (width - size)
    return pad + text if align == "right" else text + pad
