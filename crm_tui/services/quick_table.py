"""Provides cli/output.py's aligned plain table as text, for the quick read commands (issue
20) without the CLI: every column kept, CJK-aware widths, cells cut at 40 columns, ids
whole."""

from __future__ import annotations

from typing import Any

ID_COLUMNS = frozenset({"id", "row", "row_id"})  # cli/output.py: never cut


def _cell(value: Any, cell_len: Any, *, whole: bool = False) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
    if whole or cell_len(text) <= 40:
        return text
    while cell_len(text) > 39:
        text = text[:-1]
    return text + "…"


def plain_table(rows: list[dict[str, Any]], columns: list[str], *, header: bool = True) -> str:
    """cli/output.py's aligned table for a terminal and a pipe: every column, ids whole."""
    from rich.cells import cell_len

    cells = [[_cell(row.get(k), cell_len, whole=k in ID_COLUMNS) for k in columns] for row in rows]
    if header:
        cells.insert(0, list(columns))
    widths = [max(cell_len(line[n]) for line in cells) for n in range(len(columns))]
    out = [
        "  ".join(c + " " * (w - cell_len(c)) for c, w in zip(line, widths, strict=True))
        for line in cells
    ]
    return "\n".join(out) + "\n"
