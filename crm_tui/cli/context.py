"""Provides what every command shares: the chosen book (opened on first use), the clock,
the way to open the app, and the one way to fail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import typer

from crm_tui.config import resolve_db_path
from crm_tui.domain.dates import Clock
from crm_tui.services.book import Book

# What opens the Textual app on a file; the entry point (crm_tui/launch.py) passes it in,
# so the CLI never imports the app or the launcher (no launch <-> cli circle).
AppOpener = Callable[[Path, Clock], None]


@dataclass
class CliState:
    db_path: Path
    clock: Clock
    db_option: Path | None = None
    opener: AppOpener | None = None
    _book: Book | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls, db_option: Path | None, now: str | None, opener: AppOpener | None = None
    ) -> CliState:
        clock = Clock()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                fail(f"--now: '{now}' is not an ISO date-time such as 2026-11-23T09:00")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=clock.zone)
            clock = Clock(fixed=moment)
        return cls(resolve_db_path(db_option), clock, db_option, opener)

    @property
    def book(self) -> Book:
        """The book at `db_path`, opened (and migrated) on first use: SQLAlchemy loads here."""
        if self._book is None:
            try:
                self._book = Book.open(self.db_path, self.clock)
            except Exception as exc:  # a locked, corrupt or unreadable file
                fail(f"cannot open database {self.db_path}: {exc}")
        return self._book

    def open_app(self, path: Path | None = None) -> None:
        """Open the app on `path` (default: this command's file)."""
        if self.opener is None:
            fail("the app opens from the `crm` command only")
        if self._book is not None:
            self._book.close()
            self._book = None
        self.opener(path or self.db_path, self.clock)


def state(ctx: typer.Context) -> CliState:
    return ctx.find_root().obj


def fail(message: str, code: int = 1) -> NoReturn:
    """One clear line on stderr and a non-zero exit: never a traceback. Stored names
    (activity, opportunity, expense) are said in the screens' words."""
    from crm_tui.services.words import screen_words

    typer.echo(f"error: {screen_words(message)}", err=True)
    raise typer.Exit(code)
