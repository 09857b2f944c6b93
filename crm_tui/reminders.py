"""Provides the old `crm_tui.reminders` names over a `Database`, for callers not yet moved.

The reminders now live in crm_tui/services/reminders.py and take a `Book`; this module goes
once the reminder screen and its tests call the service (issue 12).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from crm_tui.services import reminders as _service
from crm_tui.services.book import Book
from crm_tui.services.reminders import SNOOZE_CHOICES, AgendaItem, Reminder

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

__all__ = ["SNOOZE_CHOICES", "AgendaItem", "Reminder"]


def followups_due(db: Database, now: datetime | None = None) -> list[Reminder]:
    return _service.followups_due(Book(db), now)


def due_now(db: Database, now: datetime | None = None, **windows: int) -> list[Reminder]:
    return _service.due_now(Book(db), now, **windows)


def unshown(db: Database, reminders: list[Reminder]) -> list[Reminder]:
    return _service.unshown(Book(db), reminders)


def mark_shown(db: Database, reminders: list[Reminder]) -> None:
    _service.mark_shown(Book(db), reminders)


def snooze(db: Database, row_id: str, choice: str) -> datetime:
    return _service.snooze(Book(db), row_id, choice)


def agenda(db: Database, days: int = 7) -> dict[date, list[AgendaItem]]:
    return _service.agenda(Book(db), days)
