"""Provides the CLI's plain output as text, shared by cli/output.py and the quick read
commands (issue 20), without typer or the models: the aligned table (every column kept,
CJK-aware widths, cells cut at 40 columns, ids whole) and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

# Columns a user copies into the next command (`crm conflicts restore ID`): never cut.
ID_COLUMNS = frozenset({"id", "row", "row_id"})


def plain(value: Any) -> Any:
    """A value for JSON/CSV without float noise (7.6, never 7.599999999999999)."""
    return round(value, 6) if isinstance(value, float) else value


def _cell(value: Any, cell_len: Any, *, whole: bool = False) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
    if whole or cell_len(text) <= 40:
        return text
    while cell_len(text) > 39:
        text = text[:-1]
    return text + "…"


def plain_table(
    rows: list[dict[str, Any]],
    columns: list[str],
    *,
    header: bool = True,
    titles: dict[str, str] | None = None,
) -> str:
    """An aligned table for a terminal and a pipe (rich's table is too slow for 100k rows
    and drops whole columns): every column whatever the width, ids never cut."""
    from rich.cells import cell_len

    cells = [[_cell(row.get(k), cell_len, whole=k in ID_COLUMNS) for k in columns] for row in rows]
    if header:
        cells.insert(0, [(titles or {}).get(k, k) for k in columns])
    widths = [max(cell_len(line[n]) for line in cells) for n in range(len(columns))]
    out = [
        "  ".join(c + " " * (w - cell_len(c)) for c, w in zip(line, widths, strict=True))
        for line in cells
    ]
    return "\n".join(out) + "\n"


def csv_text(rows: list[dict[str, Any]], columns: list[str], *, header: bool = True) -> str:
    """Rows as CSV: the given columns only, None as an empty cell, floats without noise."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
    if header:
        writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else plain(row.get(k)) for k in columns})
    return buf.getvalue()
