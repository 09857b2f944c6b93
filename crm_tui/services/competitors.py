"""Provides the competitors the team is up against: add, read and edit them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.services import records

if TYPE_CHECKING:
    from crm_tui.domain.models import Competitor
    from crm_tui.services.book import Book


def get(book: Book, row_id: str) -> Competitor | None:
    return records.get(book, "competitor", row_id)


def create(book: Book, values: dict[str, Any]) -> Competitor:
    """A new competitor from the typed text; raises ValidationErrors, also for a name the
    team already has (a lost deal names its competitor by name: two 宝钢 would make that
    ambiguous)."""
    name = " ".join(str(values.get("name") or "").split())
    if name:
        taken = _taken(book, name)
        if taken:
            raise ValidationErrors([FieldError("name", f"'{name}' is already a competitor{taken}")])
    return records.create(book, "competitor", values)


def _taken(book: Book, name: str) -> str:
    """' (ID)' when a competitor has this name (case aside), ' (twice)' when several do,
    '' when none does."""
    try:
        found = records.resolve(book, "competitor", name)
    except records.NotFound as exc:
        return " (more than once)" if "more than one" in str(exc) else ""
    return f" ({found.id[:8]})" if found.name.casefold() == name.casefold() else ""


def update(book: Book, row_id: str, changes: dict[str, Any]) -> Competitor:
    """Save the fields a rep changed; raises ValidationErrors or NotFound."""
    return records.update(book, "competitor", row_id, changes)
