"""Provides `Database`: a `Store` (one SQLite file: engine, transactions, clock, identity;
storage/store.py) with its repositories.

Opening runs any pending migrations. Every write goes through `transaction()`, which the
repositories use to put the change, its outbox row (storage/outbox.py) and its undo entry
in one commit.
"""

from __future__ import annotations

from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.storage.ids import new_id
from crm_tui.storage.repositories import Repositories
from crm_tui.storage.store import Store

__all__ = ["Database", "new_id", "open_database"]


class Database(Store):
    def __init__(self, path: Path | str, clock: Clock | None = None) -> None:
        super().__init__(path, clock)
        self._repos: Repositories | None = None

    @property
    def repos(self) -> Repositories:
        if self._repos is None:
            self._repos = Repositories(self)
        return self._repos


def open_database(path: Path | str, clock: Clock | None = None) -> Database:
    return Database(path, clock)
