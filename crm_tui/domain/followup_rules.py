"""Provides the follow-up rules a screen used to hold: the views (open, overdue, today, ...)
as `Filter`s, and the next follow-up offered when one is done (a week later, same time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from crm_tui.domain.dates import Clock

if TYPE_CHECKING:
    from crm_tui.domain.filter import Filter

NEXT_AFTER = timedelta(weeks=1)

# view id -> (tab label, key)
VIEWS: dict[str, tuple[str, str]] = {
    "open": ("Open", "o"),
    "overdue": ("Overdue", "l"),
    "today": ("Today", "t"),
    "upcoming": ("Upcoming", "p"),
    "done": ("Done", "d"),
    "all": ("All", "a"),
}


def overdue_before(clock: Clock) -> datetime:
    """THE one meaning of "overdue" (issue 13 item 8): a follow-up that is not done, not
    deleted and due before this moment -- the start of today in the user's local zone, as
    an aware UTC datetime. A call due today at 09:00 is "today", not overdue, all day."""
    return clock.day_start_utc(clock.today())


def is_overdue(due_at: datetime | None, done_at: datetime | None, clock: Clock) -> bool:
    """Whether one follow-up (not deleted) is overdue by `overdue_before`."""
    if due_at is None or done_at is not None:
        return False
    if due_at.tzinfo is None:  # stored naive moments are UTC
        due_at = due_at.replace(tzinfo=UTC)
    return due_at < overdue_before(clock)


def view_of_moment(due_at: datetime | None, done_at: datetime | None, clock: Clock) -> str:
    """The view a follow-up shows in: done, overdue, today, upcoming (open when undated)."""
    if done_at is not None:
        return "done"
    if due_at is None:
        return "open"
    if is_overdue(due_at, done_at, clock):
        return "overdue"
    return "today" if clock.to_local(due_at).date() == clock.today() else "upcoming"


def view_filter(view: str, clock: Clock) -> Filter:
    """The follow-ups a view shows (KeyError for an unknown view)."""
    # Imported here: the desk's first read uses this module, not its filters (~7 ms of start).
    from crm_tui.domain.filter import Filter, IsEmpty, Range

    today = clock.today()
    start = overdue_before(clock)
    tomorrow = clock.day_start_utc(today + timedelta(days=1))
    open_ = IsEmpty("done_at")
    terms = {
        "open": (open_,),
        "overdue": (open_, Range("due_at", end=start)),
        "today": (open_, Range("due_at", start=start, end=tomorrow)),
        "upcoming": (open_, Range("due_at", start=tomorrow)),
        "done": (IsEmpty("done_at", empty=False),),
        "all": (),
    }[view]
    return Filter("activity", terms)


@dataclass(frozen=True)
class NextFollowUp:
    """The follow-up to schedule when one is done."""

    kind: str
    subject: str
    due_at: datetime | str  # a datetime, or what the rep typed ("fri", "2026-12-01 10:00")
    all_day: bool = False
    notes: str | None = None


def suggest_next(done: Any, clock: Clock) -> NextFollowUp:
    """Same kind and subject a week later: at the same local time, or all day when the one
    done was all day or had no time."""
    day = clock.today() + NEXT_AFTER
    all_day = bool(done.all_day) or done.due_at is None
    if all_day:
        due = clock.day_start_utc(day)
    else:
        due = clock.at_local(day, clock.to_local(done.due_at).time())
    return NextFollowUp(done.kind, done.subject, due, all_day)
