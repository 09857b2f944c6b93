"""Chart drawing and report files: exact characters, escaping, long-form CSV."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from crm_tui.reports.export import to_csv, to_markdown
from crm_tui.reports.model import Chart, Money, Pct, Report, Section
from crm_tui.reports.period import Period
from crm_tui.widgets.charts import bar, centered_bar, section_view, sparkline


def test_bars_are_drawn_in_eighths_of_a_cell() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 10, 4) == "▍"  # 3.2 eighths -> 3
    assert bar(0.01, 10, 4) == "▏"  # never vanishes when not zero
    assert bar(0, 10, 4) == "" and bar(3, 0, 4) == ""
    assert centered_bar(5, 10, 6) == " ███  "
    assert sparkline([0, 1, 2, 7]) == "▁▂▃█"
    assert sparkline([3, 3]) == "▁▁"


def _report() -> Report:
    sec = Section(
        "by_x",
        "By | pipe",
        ["Name", "Amount", "Share"],
        [["a|b <i>", Money(123450), Pct(12.5)], ["c", Money(0), Pct(None)]],
        Chart("bar", value=1),
        note="note | here",
    )
    return Report(
        "expenses", Period.month(2026, 11), "mine", "CNY", datetime(2026, 11, 23, tzinfo=UTC), [sec]
    )


def test_markdown_escapes_pipes_and_right_aligns_numbers() -> None:
    text = to_markdown(_report())
    assert "## By \\| pipe" in text
    assert "| --- | ---: | ---: |" in text
    assert "| a\\|b <i> | ¥1,234.50 | 12.5% |" in text
    assert "| c | ¥0.00 | – |" in text


def test_csv_is_long_form_with_plain_numbers() -> None:
    assert to_csv(_report()).splitlines() == [
        "section,row,column,value",
        "by_x,a|b <i>,Amount,1234.50",
        "by_x,a|b <i>,Share,12.5",
        "by_x,c,Amount,0.00",
        "by_x,c,Share,",
    ]


def test_section_view_puts_numbers_beside_the_bars() -> None:
    console = Console(width=60, record=True, color_system=None)
    console.print(section_view(_report().sections[0], "CNY", chart_width=8))
    lines = console.export_text().splitlines()
    assert lines[0] == "By | pipe"
    assert lines[2].startswith("a|b <i>  ¥1,234.50  12.5%  ████████")
    assert lines[-1] == "note | here"
