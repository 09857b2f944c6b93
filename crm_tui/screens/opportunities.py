"""Provides `OpportunitiesScreen`: Opportunities: list and a board by stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from crm_tui.storage.database import Database


class OpportunitiesScreen(Screen[None]):
    def __init__(self, db: Database, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.db = db
