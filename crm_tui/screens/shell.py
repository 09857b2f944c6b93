"""Provides `Shell`, the app as screens see it, and `book_of`, the one typed way to the book.

A screen never imports the app (crm_tui/app.py imports the screens). It reaches the open
`Book` and the app's navigation through `Shell`, which `CrmApp` implements: `book_of(app)`
or `CrmScreen.book` / `CrmScreen.shell` replace `app.db` and `type: ignore[attr-defined]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App

from crm_tui.domain.dates import Clock
from crm_tui.services.book import Book


class Shell(App[None]):
    """What every screen may ask of the app; `CrmApp` fills it in."""

    path: Path  # the book's file (the desk reads it with plain sqlite3 before the book opens)
    clock: Clock

    @property
    def book(self) -> Book:
        """The open book; raises RuntimeError while it is still opening (see `book_ready`)."""
        raise NotImplementedError

    @property
    def book_ready(self) -> bool:
        """False while the book opens in a worker (the desk paints before it)."""
        raise NotImplementedError

    def open_record(self, entity: str, row_id: str, customer_id: str | None = None) -> None:
        """Show a record on the screen that shows its type (screens/routing.py)."""
        raise NotImplementedError

    def show_section(self, mode: str) -> None:
        """Go to a section: desk, customers, followups, opportunities, expenses, reports."""
        raise NotImplementedError

    def show_list(self, mode: str, query: str = "", view: str | None = None) -> None:
        """Go to a list section showing `query` (and, for follow-ups, `view`)."""
        raise NotImplementedError

    def refresh_status(self) -> None:
        """Re-read the status line (after a change the pending count shows)."""
        raise NotImplementedError

    def action_undo(self) -> None:
        """Undo the last change on this screen."""
        raise NotImplementedError

    def action_sync(self) -> None:
        """Sync with the team's server now."""
        raise NotImplementedError

    def action_help(self) -> None:
        """Show every key of the current screen."""
        raise NotImplementedError


@dataclass(frozen=True)
class Destination:
    """A palette entry: a title, what it does, and the typed callable that does it."""

    title: str
    help: str
    run: Callable[[Shell], None]


def shell_of(app: App[Any]) -> Shell:
    """The app as a `Shell` (TypeError when a screen is mounted in some other app)."""
    if not isinstance(app, Shell):
        raise TypeError(f"{type(app).__name__} is not a crm Shell")
    return app


def book_of(app: App[Any]) -> Book:
    """The app's open book (RuntimeError while it is opening: check `book_ready` first)."""
    return shell_of(app).book


def book_ready(app: App[Any]) -> bool:
    """True once the app's book is open (False too for an app that is not a `Shell`)."""
    return isinstance(app, Shell) and app.book_ready
