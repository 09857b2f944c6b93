"""Provides `Book`: an open CRM file, the one handle screens and the CLI hold.

A screen or command never sees the database, an engine or a session: it holds a `Book` and
passes it to service functions. `Book.db` is for the services package only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui.domain.dates import Clock
from crm_tui.domain.permissions import Actor

if TYPE_CHECKING:
    from crm_tui.domain.fields import InputContext
    from crm_tui.storage.database import Database


class Book:
    """One open book of business (a local SQLite file) and who is working in it."""

    def __init__(self, db: Database) -> None:
        self.db = db  # services only

    @classmethod
    def open(cls, path: Path | str, clock: Clock | None = None) -> Book:
        """Open (and migrate) the file at `path`; SQLAlchemy loads here, not at import."""
        from crm_tui.storage.database import open_database

        return cls(open_database(path, clock))

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def clock(self) -> Clock:
        return self.db.clock

    @property
    def user_id(self) -> str | None:
        return self.db.user_id

    @property
    def role(self) -> str:
        return self.db.role

    @property
    def actor(self) -> Actor:
        """Who is working, for the rule book (domain/permissions.py)."""
        return Actor(self.db.user_id, self.db.role)

    @property
    def device_id(self) -> str:
        return self.db.device_id

    @property
    def input_context(self) -> InputContext:
        return self.db.input_context

    def close(self) -> None:
        self.db.close()
