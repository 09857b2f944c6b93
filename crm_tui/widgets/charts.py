"""Provides terminal charts (bars, sparklines, a funnel) with the numbers beside them.

Plain Rich renderables, so the screen shows them in a Static and a console can print them;
`section_view` draws one report section as its table with a chart column.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from crm_tui.services.reports import Money, Section, cell_text, is_number, numeric

_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARKS = "▁▂▃▄▅▆▇█"


def bar(value: float, peak: float, width: int) -> str:
    """A horizontal bar `width` cells long at `peak`, in eighths of a cell."""
    if peak <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = max(1, round(8 * width * min(value, peak) / peak))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def centered_bar(value: float, peak: float, width: int) -> str:
    """A bar centred in `width` cells (a funnel step); at least one cell when not zero."""
    if peak <= 0 or value <= 0 or width <= 0:
        return " " * width
    cells = max(1, round(width * min(value, peak) / peak))
    left = (width - cells) // 2
    return " " * left + "█" * cells + " " * (width - cells - left)


def sparkline(values: Sequence[float]) -> str:
    """One character per value, ▁ (lowest) to █ (highest); all-equal values sit low."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return _SPARKS[0] * len(values)
    scale = (len(_SPARKS) - 1) / (high - low)
    return "".join(_SPARKS[round((v - low) * scale)] for v in values)


def _table(section: Section, currency: str, chart_width: int) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
    for i, name in enumerate(section.columns):
        numbers = any(is_number(row[i]) for row in section.rows if i < len(row))
        table.add_column(
            name,
            justify="right" if numbers else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=28,
        )
    chart = section.chart
    if chart is not None:
        table.add_column("", no_wrap=True, min_width=chart_width, style="cyan")
    peak = max((numeric(row[chart.value]) for row in section.rows), default=0.0) if chart else 0
    for row in section.rows:
        cells = [cell_text(cell, currency) for cell in row]
        if chart is not None:
            value = numeric(row[chart.value])
            drawn = (
                centered_bar(value, peak, chart_width)
                if chart.kind == "funnel"
                else bar(value, peak, chart_width)
            )
            cells.append(drawn)
        table.add_row(*cells)
    return table


def _spark(section: Section, currency: str) -> RenderableType:
    chart = section.chart
    assert chart is not None
    values = [numeric(row[chart.value]) for row in section.rows]
    if not values:
        return Text("no data", style="dim")
    line = Text()
    line.append(f"{cell_text(section.rows[0][chart.label], currency)} ", style="dim")
    line.append(sparkline(values), style="cyan")
    line.append(f" {cell_text(section.rows[-1][chart.label], currency)}", style="dim")
    peak_row = max(section.rows, key=lambda r: numeric(r[chart.value]))
    total = sum(values)
    last = section.rows[-1][chart.value]
    total_text = cell_text(Money(int(total)) if isinstance(last, Money) else int(total), currency)
    summary = Text(
        f"latest {cell_text(last, currency)} · peak {cell_text(peak_row[chart.value], currency)}"
        f" ({cell_text(peak_row[chart.label], currency)}) · total {total_text}"
    )
    return Group(line, summary)


def section_view(section: Section, currency: str, chart_width: int = 16) -> RenderableType:
    """A section as a title, its chart with numbers, and its note."""
    parts: list[RenderableType] = [Text(section.title, style="bold underline")]
    if section.chart is not None and section.chart.kind == "spark":
        parts.append(_spark(section, currency))
    elif section.rows:
        parts.append(_table(section, currency, chart_width))
    else:
        parts.append(Text("nothing in this period", style="dim"))
    if section.note:
        parts.append(Text(section.note, style="dim italic"))
    return Group(*parts)
