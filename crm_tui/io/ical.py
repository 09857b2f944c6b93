"""Provides the iCalendar export of follow-ups: VEVENTs with a VALARM at the reminder time.

Calendar clients show events far more reliably than VTODOs. Each follow-up keeps one UID
(`<id>@crm_tui`), and SEQUENCE / DTSTAMP / LAST-MODIFIED follow its last change, so
importing a newer file updates the events instead of duplicating them. All-day follow-ups
become all-day events (DTSTART;VALUE=DATE).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock

PRODID = "-//crm_tui//follow-ups//EN"
TIMED_LENGTH = timedelta(minutes=30)
_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FollowUpEvent:
    """What the calendar needs of one follow-up."""

    id: str
    subject: str
    kind: str
    due_at: datetime
    all_day: bool
    remind_at: datetime | None
    updated_at: datetime
    created_at: datetime
    customer: str | None = None
    notes: str | None = None


def sequence(updated_at: datetime) -> int:
    """A SEQUENCE that grows with every change: minutes since 2024 of the last change."""
    return max(0, int((_aware(updated_at) - _SEQUENCE_EPOCH).total_seconds() // 60))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_ics(events: Iterable[FollowUpEvent], clock: Clock, name: str = "CRM follow-ups") -> bytes:
    """An iCalendar (RFC 5545) file of the follow-ups."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for item in events:
        ev = Event()
        ev.add("uid", f"{item.id}@crm_tui")
        ev.add("dtstamp", _aware(item.updated_at).astimezone(UTC))
        ev.add("created", _aware(item.created_at).astimezone(UTC))
        ev.add("last-modified", _aware(item.updated_at).astimezone(UTC))
        ev.add("sequence", sequence(item.updated_at))
        summary = f"{item.kind}: {item.subject}"
        if item.customer:
            summary += f" — {item.customer}"
        ev.add("summary", summary)
        if item.notes:
            ev.add("description", item.notes)
        if item.all_day:
            day: date = clock.to_local(item.due_at).date()
            ev.add("dtstart", day)
            ev.add("dtend", day + timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        else:
            start = _aware(item.due_at).astimezone(UTC)
            ev.add("dtstart", start)
            ev.add("dtend", start + TIMED_LENGTH)
        ev.add("categories", [item.kind])
        if item.remind_at is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add(
                "trigger", _aware(item.remind_at).astimezone(UTC), parameters={"VALUE": "DATE-TIME"}
            )
            ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()
