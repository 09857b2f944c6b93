"""Provides `CrmScreen`, the base of every section screen: its body, the status line and the
footer of keys.

Apart from screens/base.py (which adds `ListScreen` and re-exports this), so the desk (the
first screen) does not import the list machinery (query bar, lazy table, filters) before its
first frame.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.screen import Screen

from crm_tui.screens.shell import Shell, book_of, shell_of
from crm_tui.services.book import Book
from crm_tui.widgets.footer import CrmFooter
from crm_tui.widgets.status_bar import StatusBar


class CrmScreen(Screen[None]):
    """A section screen: its body, then the status line and the footer of keys."""

    undo_entity: ClassVar[str | None] = None  # what `u` undoes here; None = the last change

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

    @property
    def book(self) -> Book:
        """The book this screen was given, else the app's (`book_of`)."""
        return self._book if self._book is not None else book_of(self.app)

    @property
    def shell(self) -> Shell:
        """The app: open_record, show_section, refresh_status (screens/shell.py)."""
        return shell_of(self.app)

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield StatusBar()
        yield CrmFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self) -> None:
        if isinstance(self.app, Shell):
            self.app.refresh_status()

    def reload(self) -> None:
        """Re-read what the screen shows (after a change or an undo)."""
