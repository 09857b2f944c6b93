"""Provides the follow-up use cases: read one, create/edit, and close one with its outcome
and the next follow-up in ONE transaction (`complete`).

The "next a week later" rule and the views live in crm_tui/domain/followup_rules.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.followup_rules import (
    NextFollowUp,
    overdue_before,
    suggest_next,
    view_filter,
    view_of_moment,
)
from crm_tui.domain.models import Activity
from crm_tui.services import contact_log

if TYPE_CHECKING:
    from datetime import datetime

    from crm_tui.services.book import Book

__all__ = [
    "Done",
    "NextFollowUp",
    "close",
    "complete",
    "create",
    "customer_name",
    "get",
    "next_for",
    "overdue_before",
    "update",
    "view_filter",
    "view_of",
]


@dataclass(frozen=True)
class Done:
    """A follow-up just closed, and the next one scheduled with it (None when declined)."""

    closed: Activity
    next: Activity | None


def get(book: Book, activity_id: str) -> Activity | None:
    return book.db.repos.activities.get(activity_id)


def view_of(activity: Activity, clock: Clock) -> str:
    """The follow-ups view that shows `activity` (domain/followup_rules.py)."""
    return view_of_moment(activity.due_at, activity.done_at, clock)


def customer_name(book: Book, activity: Activity) -> str:
    """The name of the follow-up's customer ("the customer" when it has none)."""
    customer = book.db.repos.customers.get(activity.customer_id) if activity.customer_id else None
    return customer.name if customer else "the customer"


def next_for(book: Book, activity: Activity) -> NextFollowUp:
    """The next follow-up to offer when `activity` is done (domain/followup_rules.py)."""
    return suggest_next(activity, book.clock)


def create(book: Book, values: Mapping[str, Any]) -> Activity:
    return book.db.repos.activities.create(dict(values))


def update(book: Book, activity_id: str, changes: Mapping[str, Any]) -> Activity:
    return book.db.repos.activities.update(activity_id, dict(changes))


def close(
    book: Book,
    row_id: str,
    *,
    outcome: str | None = None,
    next_due: str | datetime | None = None,
    next_subject: str | None = None,
) -> tuple[Any, Any | None]:
    """Close a follow-up and, in the same transaction, schedule the next one (when
    `next_due` is given) and log the contact (a call, visit or message; 联系记录), as the
    app's done flow does: (closed, next or None). `ValidationErrors` when already done.
    (The CLI's `crm done`; the screen's flow is `complete`.)"""
    with book.db.transaction():
        closed, follow = book.db.repos.activities.done(
            row_id, outcome=outcome, next_due=next_due, next_subject=next_subject
        )
        contact_log.from_followup(book, closed)
    return closed, follow


def complete(
    book: Book, activity_id: str, outcome: str, next_up: NextFollowUp | None = None
) -> Done:
    """Close the follow-up with `outcome` and schedule `next_up` (notes included), all in one
    transaction: a failure at any step leaves nothing written. ValidationErrors name the
    next follow-up's fields (`due_at` for an unreadable date)."""
    repo = book.db.repos.activities
    with book.db.transaction():
        try:
            closed, follow = repo.done(
                activity_id,
                outcome=outcome,
                next_due=None if next_up is None else next_up.due_at,
                next_subject=None if next_up is None else next_up.subject or None,
                next_kind=None if next_up is None else next_up.kind or None,
            )
        except ValidationErrors as exc:
            raise ValidationErrors(
                [
                    FieldError("due_at" if e.field == "next" else e.field, e.message)
                    for e in exc.errors
                ]
            ) from None
        # Its contact-log entry (联系记录) in the same step: both written or neither.
        contact_log.from_followup(book, closed)
        extra: dict[str, Any] = {}
        if next_up is not None and next_up.notes:
            extra["notes"] = next_up.notes
        if next_up is not None and next_up.all_day and not isinstance(next_up.due_at, str):
            extra["all_day"] = True  # typed text says all-day itself ("fri" vs "fri 10:00")
        if follow is not None and extra:
            follow = repo.update(follow.id, extra)
    return Done(closed, follow)
