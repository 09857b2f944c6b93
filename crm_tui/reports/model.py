"""Provides the report document: sections of typed cells that every output renders.

A report is data, not text: the screen draws it with charts, and export.py writes the same
document as Markdown, CSV or HTML. Cells carry their type (money, percent, a change) so each
output formats them its own way (CSV wants 1234.50, the screen wants ¥1,234.50).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm_tui.domain.money import format_money, to_major
from crm_tui.reports.period import Period

REPORT_NAMES = ("summary", "customers", "opportunities", "expenses")
REPORT_TITLES = {
    "summary": "Work summary",
    "customers": "Customer analysis",
    "opportunities": "Opportunity analysis",
    "expenses": "Expense analysis",
}


@dataclass(frozen=True)
class Money:
    minor: int
    signed: bool = False  # a change: shown with + or -


@dataclass(frozen=True)
class Pct:
    value: float | None  # percent, 0-100; None when there is nothing to divide by
    signed: bool = False


@dataclass(frozen=True)
class Delta:
    value: int


@dataclass(frozen=True)
class Days:
    value: float | None


Cell = str | int | Money | Pct | Delta | Days | None


@dataclass(frozen=True)
class Chart:
    kind: str  # bar | spark | funnel
    label: int = 0  # column index of the labels
    value: int = 1  # column index of the numbers charted


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: Chart | None = None
    note: str | None = None
    row_ids: list[str | None] | None = None  # records a row stands for (openable)


@dataclass
class Report:
    name: str
    period: Period
    scope: str  # mine | team
    currency: str
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        return REPORT_TITLES[self.name]

    @property
    def subtitle(self) -> str:
        return f"{self.period.label} · {self.scope} · {self.currency}"

    def section(self, key: str) -> Section:
        for sec in self.sections:
            if sec.key == key:
                return sec
        raise KeyError(key)


def numeric(cell: Cell) -> float:
    """The number a chart draws for a cell (0 for text and blanks)."""
    if isinstance(cell, bool) or cell is None or isinstance(cell, str):
        return 0.0
    if isinstance(cell, int):
        return float(cell)
    if isinstance(cell, Money):
        return float(cell.minor)
    if isinstance(cell, (Pct, Days)):
        return float(cell.value or 0)
    if isinstance(cell, Delta):
        return float(cell.value)
    return 0.0


def _sign(value: float) -> str:
    return "+" if value > 0 else ""


def cell_text(cell: Cell, currency: str, *, plain: bool = False) -> str:
    """How a cell reads: for people, or `plain` for files (no symbols or separators)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int):
        return str(cell) if plain else f"{cell:,}"
    if isinstance(cell, Money):
        if plain:
            return ("-" if cell.minor < 0 else "") + to_major(abs(cell.minor), currency)
        sign = "+" if cell.signed and cell.minor > 0 else ""
        return sign + format_money(cell.minor, currency)
    if isinstance(cell, Pct):
        if cell.value is None:
            return "" if plain else "–"
        sign = _sign(cell.value) if cell.signed else ""
        return f"{cell.value:.1f}" if plain else f"{sign}{cell.value:.1f}%"
    if isinstance(cell, Delta):
        return str(cell.value) if plain else f"{_sign(cell.value)}{cell.value:,}"
    if isinstance(cell, Days):
        if cell.value is None:
            return "" if plain else "–"
        return f"{cell.value:.1f}"
    return str(cell)


def is_number(cell: Cell) -> bool:
    return not isinstance(cell, str) and cell is not None


def to_rows(report: Report) -> list[dict[str, Any]]:
    """Long form of every section (section, row label, column, value): the CSV layout."""
    out: list[dict[str, Any]] = []
    for sec in report.sections:
        for row in sec.rows:
            label = cell_text(row[0], report.currency, plain=True).strip()
            for name, cell in zip(sec.columns[1:], row[1:], strict=False):
                out.append(
                    {
                        "section": sec.key,
                        "row": label,
                        "column": name,
                        "value": cell_text(cell, report.currency, plain=True),
                    }
                )
    return out
