"""Provides `RecordTable`: a table over `ListPages` (services.lists) that renders only the
rows in view, from a cache of pages that a worker fills: no database I/O on the UI thread.

Textual's DataTable holds every row (100k rows take seconds to show); this widget uses the
line API instead, as Toolong's LogLines does with its line reader: the virtual height is the
row count, `render_line` paints rows from an LRU cache of pages, and a row whose page is not
cached yet paints as a placeholder while a thread worker reads that page (and one either
side of the view); the widget repaints when it arrives. A filter change reloads the count
and the first pages in a thread worker and repaints the same widget. A filter matching more
rows than the source's cap paints first with "1,000+" and then the exact total, counted
after the paint (a newer filter interrupts that count). Cells are cut and padded by
terminal cells, so Chinese text stays aligned.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.scroll_view import ScrollView

from crm_tui.widgets.cells import Column, fit
from crm_tui.widgets.table_messages import Reloaded, RowSelected
from crm_tui.widgets.table_paint import MIN_FLEX, PLACEHOLDER, TablePaint

if TYPE_CHECKING:
    from crm_tui.services.lists import ListPages

__all__ = ["MIN_FLEX", "PLACEHOLDER", "Column", "RecordTable", "fit"]

MAX_PAGES = 64
FIND_PAGES = 40  # how far select_id looks for its row


class RecordTable(TablePaint, ScrollView, can_focus=True):
    """A lazy, keyboard-driven table of records (one row per record, `enter` selects)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", tooltip="Open the record under the cursor"),
    ]

    BINDING_GROUP_TITLE = "The list"

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "record-table--header",
        "record-table--cursor",
        "record-table--placeholder",
    }

    DEFAULT_CSS = """
    RecordTable {
        overflow-x: hidden;
        overflow-y: scroll;
        & > .record-table--header { text-style: bold; background: $panel; }
        & > .record-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .record-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .record-table--placeholder { color: $text-muted; }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    # Messages in widgets/table_messages.py; handler names and @on(...) are unchanged.
    RowSelected = RowSelected
    Reloaded = Reloaded

    def __init__(
        self,
        columns: Sequence[Column],
        source: ListPages | None = None,
        *,
        noun: str = "rows",
        empty: str = "Nothing here.",
        row_style: Callable[[dict[str, Any]], str | None] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.source = source
        self.noun = noun
        self.empty = empty
        self.row_style = row_style  # e.g. red for an overdue follow-up
        self.row_count = 0
        self.count_exact = True  # False while row_count is only "at least" (shown as N+)
        self.loaded = False
        self._pages: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()  # one source, read by one thread at a time
        self._wanted_filter: Any = None  # set by set_filter, applied by _load
        self._wanted_id: str | None = None  # set by select_id, looked up by _load
        # (pages, count) of the last load, painted while a reload reads the new ones
        self._stale: tuple[OrderedDict[int, list[dict[str, Any]]], int] | None = None
        self._requested: set[tuple[int, int]] = set()  # (generation, page) being read
        self._generation = -1  # the source generation the cached pages belong to
        # Styles and widths of the lines, kept until the CSS, focus or width changes: each
        # painted line asked the DOM for them (ancestors walked, ~0.1 ms a line per repaint).
        self._paint: dict[Any, Any] = {}
        self._subtitle: str | None = None  # as last set (setting it repaints every line)

    # --- public API ------------------------------------------------------------------------
    @property
    def current_row(self) -> dict[str, Any] | None:
        if not self.loaded or not 0 <= self.cursor_row < self.row_count:
            return None
        return self._cached_row(self.cursor_row)  # None while its page is being read

    def set_source(self, source: ListPages) -> None:
        self.source = source
        self._wanted_filter = None  # meant for the old source
        self.reload(keep_cursor=False)

    def set_filter(self, filter: Any, *, keep_cursor: bool = False) -> None:  # noqa: A002
        """Filter the rows (a domain `Filter` for the source); the widget stays, the cursor
        goes up (or stays, `keep_cursor`, when the rows hardly change)."""
        if self.source is None:
            return
        # Applied by the load worker: waiting here for the lock would freeze typing while an
        # older, slower query finishes. Only the newest filter is kept.
        self._wanted_filter = filter if filter is not None else ()
        self.reload(keep_cursor=keep_cursor)

    def select_id(self, row_id: str) -> None:
        """Reload and put the cursor on the row with this id (looked for in the worker, over
        the first FIND_PAGES pages; the cursor stays on top when it is not there)."""
        self._wanted_id = row_id
        self.reload(keep_cursor=False)

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Re-read the count and the rows in view (after a write or a filter change)."""
        if self.source is None:
            return
        if self.loaded:  # painted until the new rows come: no "Loading…" flash per key
            self._stale = (self._pages, self.row_count)
        self.loaded = False
        self._pages = OrderedDict()
        self._requested.clear()
        if not keep_cursor:
            if self.cursor_row:  # (each set repaints the table: none while it shows row 0)
                self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self._load(self.source, self.cursor_row)

    # --- loading ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="record-table", exit_on_error=False)
    def _load(self, source: ListPages, around: int) -> None:
        with self._lock:
            wanted, self._wanted_filter = self._wanted_filter, None
            if wanted is not None and source is self.source:
                source.set_filter(wanted or None)
            source.invalidate()
            generation = source.generation
            count, exact = source.quick_count()
            want = {0, max(0, around) // source.page_size}
            pages = {i: source.page(i) for i in sorted(want)}
            found = self._find(source, pages, count)
        self.app.call_from_thread(self._loaded, source, generation, count, exact, pages, found)
        if exact:
            return
        # The first page is painted; now the exact total, unless a newer load comes first.
        total = source.count_exact(interrupt=lambda: source.generation != generation)
        if total is not None:
            self.app.call_from_thread(self._counted, source, generation, total)

    def _find(
        self, source: ListPages, pages: dict[int, list[dict[str, Any]]], count: int
    ) -> int | None:
        """The index of the row `select_id` asked for (worker thread, lock held)."""
        wanted = self._wanted_id  # cleared by the load that paints (an older one may not)
        if wanted is None:
            return None
        for index in range(min(FIND_PAGES, -(-count // source.page_size))):
            page = pages.get(index)
            if page is None:
                page = pages[index] = source.page(index)
            for offset, row in enumerate(page):
                if str(row.get("id")) == wanted:
                    return index * source.page_size + offset
        return None

    def _loaded(
        self,
        source: ListPages,
        generation: int,
        count: int,
        exact: bool,
        pages: dict[int, list[dict[str, Any]]],
        found: int | None = None,
    ) -> None:
        if source is not self.source or source.generation != generation:
            return  # a newer load is on its way
        self._wanted_id = None
        self._stale = None
        self._pages = OrderedDict(pages)
        self._generation = generation
        self._requested.clear()
        self.row_count = count
        self.count_exact = exact
        self.loaded = True
        self._set_height(count)
        cursor = min(self.cursor_row if found is None else found, max(0, count - 1))
        if cursor != self.cursor_row:
            self.cursor_row = cursor
        self._update_subtitle()
        self.refresh()
        self.post_message(self.Reloaded(self, count, exact))

    def _counted(self, source: ListPages, generation: int, total: int) -> None:
        if source is not self.source or source.generation != generation or not self.loaded:
            return
        self.row_count = total
        self.count_exact = True
        self._set_height(total)
        if self.cursor_row > max(0, total - 1):
            self.cursor_row = max(0, total - 1)
        self._update_subtitle()

    def _cached_row(self, index: int) -> dict[str, Any] | None:
        """The row at `index` if its page is cached; else None, and the page is requested."""
        source = self.source
        if source is None:
            return None
        page_index = index // source.page_size
        page = self._pages.get(page_index)
        if page is None:
            self._request(page_index)
            return None
        self._pages.move_to_end(page_index)
        offset = index - page_index * source.page_size
        return page[offset] if offset < len(page) else None

    def _request(self, page_index: int) -> None:
        source = self.source
        if source is None or not self.loaded or page_index < 0:
            return
        if page_index * source.page_size >= max(self.row_count, 1) or page_index in self._pages:
            return
        key = (self._generation, page_index)
        if key in self._requested:
            return
        self._requested.add(key)
        self._read_page(source, self._generation, page_index)

    def _prefetch(self) -> None:
        """Ask for the pages in view and one page either side (LogLines' read-ahead)."""
        source = self.source
        if source is None or not self.loaded or not self.row_count:
            return
        top = int(self.scroll_y)
        first = max(0, top - source.page_size) // source.page_size
        last = (top + self._visible_rows + source.page_size) // source.page_size
        for page_index in range(first, last + 1):
            self._request(page_index)

    @work(thread=True, group="record-table-page", exit_on_error=False)
    def _read_page(self, source: ListPages, generation: int, page_index: int) -> None:
        with self._lock:
            if source is not self.source or source.generation != generation:
                return  # a newer filter or reload; its own load reads what it needs
            rows = source.page(page_index)
        self.app.call_from_thread(self._page_read, source, generation, page_index, rows)

    def _page_read(
        self, source: ListPages, generation: int, page_index: int, rows: list[dict[str, Any]]
    ) -> None:
        self._requested.discard((generation, page_index))
        if source is not self.source or generation != self._generation or not self.loaded:
            return
        self._pages[page_index] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        top = int(self.scroll_y)
        first, size = page_index * source.page_size, source.page_size
        if first < top + self._visible_rows and first + size > top:  # a read-ahead page: no repaint
            self.refresh()

    # --- cursor ----------------------------------------------------------------------------
    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor_row(self, old: int, new: int) -> None:
        top = int(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + self._visible_rows:
            self.scroll_to(y=new - self._visible_rows + 1, animate=False, immediate=True)
        self._prefetch()
        self._update_subtitle()
        self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._prefetch()

    def _move_to(self, index: int) -> None:
        if self.row_count:
            self.cursor_row = max(0, min(index, self.row_count - 1))

    def action_cursor(self, step: int) -> None:
        self._move_to(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self._move_to(self.cursor_row + step * self._visible_rows)

    def action_jump(self, where: int) -> None:
        self._move_to(where if where >= 0 else self.row_count - 1)

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.RowSelected(self, row))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1 and self.loaded:
            index = int(self.scroll_y) + event.y - 1
            if index < self.row_count:
                self.cursor_row = index
                if event.chain == 2:
                    self.action_select()

    def on_mount(self) -> None:
        if self.source is not None and not self.loaded:
            self.reload(keep_cursor=False)

    def on_resize(self) -> None:
        self.refresh()
