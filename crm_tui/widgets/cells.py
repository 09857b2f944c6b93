"""Provides `Column` and `fit`: a table column and text cut or padded to a width in
terminal cells (so Chinese text, two cells a character, stays aligned)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def column_widths(columns: Sequence[Column], total: int, min_flex: int) -> list[int]:
    """Each column's width in `total` cells; 0 for a `drop` column hidden so the flexible
    ones (customer, deal, subject) keep `min_flex` cells before money columns take the line."""
    shown = list(columns)
    flexible = [c for c in shown if c.width == 0]
    while flexible:
        fixed = sum(c.width for c in shown) + len(shown) - 1
        if (total - fixed) // len(flexible) >= min_flex:
            break
        droppable = [c for c in shown if c.drop]
        if not droppable:
            break
        shown.remove(max(droppable, key=lambda c: c.drop))
    fixed = sum(c.width for c in shown) + len(shown) - 1
    share = max(0, total - fixed) // len(flexible) if flexible else 0
    return [0 if column not in shown else column.width or max(4, share) for column in columns]


def line_text(cells: Sequence[str], widths: Sequence[int], columns: Sequence[Column]) -> str:
    """One row's cells fitted to their widths (hidden columns left out), space-separated."""
    return " ".join(
        fit(text, width, column.align)
        for text, width, column in zip(cells, widths, columns, strict=True)
        if width
    )
