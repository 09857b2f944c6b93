"""Provides the team's announcements: the list newest first, reading one, and publishing.

Who may publish is the rule book's answer (`permissions.why_not_publish`): managers and
admins alike, as on the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_tui.domain import permissions
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.services import lists

if TYPE_CHECKING:
    from crm_tui.domain.models import Announcement
    from crm_tui.services.book import Book
    from crm_tui.services.lists import ListPages


def why_not_publish(book: Book) -> str | None:
    """Why the person working in `book` may not publish, or None when they may."""
    return permissions.why_not_publish(book.actor)


def can_publish(book: Book) -> bool:
    return why_not_publish(book) is None


def source(book: Book) -> ListPages:
    """The announcements newest first, a page at a time, for a record table."""
    return lists.source(book, "announcement", descending=True)


def get(book: Book, row_id: str) -> Announcement | None:
    return book.db.repos.announcements.get(row_id)


def publish(book: Book, values: dict[str, str]) -> Announcement:
    """Write a new announcement stamped now; refused (ValidationErrors) for reps."""
    reason = why_not_publish(book)
    if reason is not None:
        raise ValidationErrors([FieldError("", reason)])
    return book.db.repos.announcements.create(values | {"published_at": book.clock.now()})
