"""Provides `TablePaint`, the painting half of `RecordTable` (widgets/record_table.py): each
line from the cached rows (or the previous load's, while a new one is read), with styles and
column widths remembered until the CSS, focus or width changes, and the repaints a load or a
count needs and no more (a full-screen layout, or an unchanged subtitle, repainted every
line on each keystroke).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from crm_tui.widgets.cells import Column, column_widths, fit, line_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from crm_tui.services.lists import ListPages

    _Base = Widget
else:
    _Base = object  # a Widget base would put this class in RecordTable's CSS type chain

MIN_FLEX = 14  # cells a name column keeps before `drop` columns are hidden
PLACEHOLDER = "…"  # a row whose page is on its way


class TablePaint(_Base):
    """Mixed into RecordTable (a ScrollView), whose state these methods read."""

    columns: list[Column]
    source: ListPages | None
    empty: str
    noun: str
    row_style: Callable[[dict[str, Any]], str | None] | None
    row_count: int
    count_exact: bool
    loaded: bool
    cursor_row: int
    _stale: tuple[OrderedDict[int, list[dict[str, Any]]], int] | None
    _paint: dict[Any, Any]
    _subtitle: str | None

    def _cached_row(self, index: int) -> dict[str, Any] | None:
        raise NotImplementedError

    def _widths(self, total: int) -> list[int]:
        key = ("widths", total, tuple(self.columns))  # (a screen may swap its columns)
        found = self._paint.get(key)
        if found is None:
            found = self._paint[key] = column_widths(self.columns, total, MIN_FLEX)
        return found

    def _style(self, part: str | None = None) -> Style:
        """The widget's style, plus a component's (`record-table--header` etc.), remembered
        until the styles change."""
        found = self._paint.get(part)
        if found is None:
            found = self.rich_style if part is None else self._style() + self._component(part)
            self._paint[part] = found
        return found

    def _component(self, part: str) -> Style:
        return self.get_component_rich_style(part)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._paint.clear()
        self.refresh()

    def on_focus(self) -> None:
        self._paint.clear()  # the cursor's style follows focus

    def on_blur(self) -> None:
        self._paint.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._widths(width)
        if y == 0:
            text = line_text([c.title for c in self.columns], widths, self.columns)
            return Strip([Segment(fit(text, width), self._style("record-table--header"))], width)
        index = int(self.scroll_y) + y - 1
        if not self.loaded:
            row = self._stale_row(index)
            if row is not None:
                text = line_text([c.cell(row) for c in self.columns], widths, self.columns)
                return Strip([Segment(fit(text, width), self._row_style(row, index))], width)
            if y == 1 and self._stale is None:
                style = self._style("record-table--placeholder")
                return Strip([Segment(fit(" Loading…", width), style)], width)
            return Strip.blank(width, self._style())
        if self.row_count == 0 and y == 1:
            style = self._style("record-table--placeholder")
            return Strip([Segment(fit(" " + self.empty, width), style)], width)
        if index >= self.row_count:
            return Strip.blank(width, self._style())
        row = self._cached_row(index)
        if row is None:  # its page is being read in a worker; the row repaints when it comes
            style = self._style("record-table--placeholder")
            if index == self.cursor_row:
                style = style + self._component("record-table--cursor")
            return Strip([Segment(fit(" " + PLACEHOLDER, width), style)], width)
        text = line_text([c.cell(row) for c in self.columns], widths, self.columns)
        return Strip([Segment(fit(text, width), self._row_style(row, index))], width)

    def _stale_row(self, index: int) -> dict[str, Any] | None:
        """A row of the previous load, shown while the new one is read (never requested)."""
        if self._stale is None or self.source is None:
            return None
        pages, count = self._stale
        if index >= count:
            return None
        page = pages.get(index // self.source.page_size)
        offset = index % self.source.page_size
        return page[offset] if page is not None and offset < len(page) else None

    def _row_style(self, row: dict[str, Any], index: int) -> Style:
        extra = self.row_style(row) if self.row_style is not None else None
        key = ("row", extra, index == self.cursor_row)
        found = self._paint.get(key)
        if found is None:
            found = self._style()
            if extra:
                found = found + Style.parse(extra)
            if index == self.cursor_row:
                found = found + self._component("record-table--cursor")
            self._paint[key] = found
        return found

    def _set_height(self, count: int) -> None:
        """The scrollable height for `count` rows. Not through the `virtual_size` reactive,
        whose change lays out the whole screen again and repaints every widget on it (a
        query's new count did, each keystroke): the table's own size does not change."""
        size = Size(0, count + 1)
        if size == self.virtual_size:
            return
        if self.styles.auto_dimensions:  # sized by its rows (a test host): a layout it is
            self.virtual_size = size
            return
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        if self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    def _update_subtitle(self) -> None:
        if not self.loaded:
            return
        if self.row_count:
            more = "" if self.count_exact else "+"
            subtitle = f"{self.cursor_row + 1:,} of {self.row_count:,}{more} {self.noun}"
        else:
            subtitle = f"0 {self.noun}"
        if subtitle != self._subtitle:  # setting it repaints the whole table, even unchanged
            self._subtitle = subtitle
            self.border_subtitle = subtitle
