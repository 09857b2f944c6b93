"""Provides `CrmScreen`, the base of every section screen: its body, the status line and the
footer of keys.

Apart from screens/base.py (which adds `ListScreen` and re-exports this), so the desk (the
first screen) does not import the list machinery (query bar, lazy table, filters) before its
first frame.

It also trims Textual's work before a screen's first frame (issue 20 item 3): no render
while the app batches updates (Textual drops that frame), the breakpoint classes set before
the body mounts, optionally no restyle on the first show, and `call_after_first_frame` for
work that should not share the CPU with drawing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen

from crm_tui.screens.shell import Shell, book_of, shell_of
from crm_tui.services.book import Book
from crm_tui.widgets.footer import CrmFooter
from crm_tui.widgets.status_bar import StatusBar


class CrmScreen(Screen[None]):
    """A section screen: its body, then the status line and the footer of keys."""

    undo_entity: ClassVar[str | None] = None  # what `u` undoes here; None = the last change
    # Textual restyles every widget of a screen each time it is shown, the first time too,
    # though each widget was styled as it mounted. False skips that first restyle (the desk:
    # ~5 ms of its first frame). Not for DataTable screens: its header can keep column widths
    # from before the rows arrived when that restyle (which clears its caches) is skipped.
    RESTYLE_ON_FIRST_SHOW: ClassVar[bool] = True

    def __init__(
        self,
        book: Book | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._book = book
        self._resumed = False
        self._after_frame: list[Callable[[], object]] | None = []  # None once painted

    @property
    def book(self) -> Book:
        """The book this screen was given, else the app's (`book_of`)."""
        return self._book if self._book is not None else book_of(self.app)

    @property
    def shell(self) -> Shell:
        """The app: open_record, show_section, refresh_status (screens/shell.py)."""
        return shell_of(self.app)

    def compose(self) -> ComposeResult:
        self._preset_breakpoints()
        yield from self.compose_body()
        yield StatusBar()
        yield CrmFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self, event: events.ScreenResume | None = None) -> None:
        if event is not None and not self._resumed:
            self._resumed = True
            if not self.RESTYLE_ON_FIRST_SHOW:
                event.refresh_styles = False  # Screen's own handler runs after this one
        if isinstance(self.app, Shell):
            self.app.refresh_status()
        self._footer_follows_top()

    def on_screen_suspend(self) -> None:
        self._footer_follows_top()

    def _footer_follows_top(self) -> None:
        """A form or dialog over this screen: the footer shows its keys (they are what a key
        does now); this screen's own again when it is back on top."""
        for footer in self.query(CrmFooter):
            footer.follow_top()

    def _preset_breakpoints(self) -> None:
        """Give the screen its breakpoint classes (-narrow / -wide) for the terminal's size
        before the body mounts: Textual sets them on the first Resize, which restyles every
        widget of the screen once more."""
        app = self.app
        width, height = app.size
        classes: dict[str, bool] = {}
        for size, points in (
            (
                width,
                app.HORIZONTAL_BREAKPOINTS
                if self.HORIZONTAL_BREAKPOINTS is None
                else self.HORIZONTAL_BREAKPOINTS,
            ),
            (
                height,
                app.VERTICAL_BREAKPOINTS
                if self.VERTICAL_BREAKPOINTS is None
                else self.VERTICAL_BREAKPOINTS,
            ),
        ):
            classes.update((name, False) for _, name in points or [])
            classes.update(
                (name, True) for name in self._get_breakpoint_classes(size, points or [])
            )
        if classes:
            self.update_classes(classes)

    def call_after_first_frame(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the screen's first frame has been drawn (after the next
        refresh if it has): work that would share the CPU with drawing it waits for it."""
        if self._after_frame is None:
            self.call_after_refresh(callback)
        else:
            self._after_frame.append(callback)

    def _compositor_refresh(self) -> None:
        # Textual renders the screen and then drops the frame while the app batches updates
        # (it mounts the first screen in a batch): a whole render wasted before the first
        # frame. Render once the batch is over instead.
        app = self.app
        if app._batch_count and not app.is_inline and self is app.screen:
            app.call_later(self._refresh_after_batch)
            return
        super()._compositor_refresh()
        if self._after_frame is not None and self is app.screen:
            waiting, self._after_frame = self._after_frame, None
            for callback in waiting:
                self.call_later(callback)

    def _refresh_after_batch(self) -> None:
        if self.is_attached and self is self.app.screen:
            self.refresh()

    def reload(self) -> None:
        """Re-read what the screen shows (after a change or an undo)."""
