"""Provides dates as reps type them (ISO, relative, weekday names) and the clock they run on.

Times are stored in UTC and shown in the rep's local zone. One `Clock` is passed around so
tests can fix "now".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo


class DateError(ValueError):
    pass


def _local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


@dataclass
class Clock:
    """The current time; `fixed` freezes it (tests, `--now`)."""

    fixed: datetime | None = None
    zone: tzinfo = field(default_factory=_local_zone)

    def now(self) -> datetime:
        """Aware UTC now."""
        if self.fixed is not None:
            return self.fixed.astimezone(UTC)
        return datetime.now(UTC)

    def local_now(self) -> datetime:
        return self.now().astimezone(self.zone)

    def today(self) -> date:
        return self.local_now().date()

    def advance(self, delta: timedelta) -> None:
        """Move a fixed clock forward (tests)."""
        self.fixed = self.now() + delta

    def day_start_utc(self, day: date) -> datetime:
        """The UTC instant the local day begins."""
        return _convert(datetime.combine(day, time(0), self.zone), UTC)

    def at_local(self, day: date, at: time) -> datetime:
        return _convert(datetime.combine(day, at, self.zone), UTC)

    def to_local(self, moment: datetime) -> datetime:
        """`moment` in the rep's zone; never raises, even for year 1 or 9999 (a stored value
        at the edge of datetime's range is shown at that edge)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return _convert(moment, self.zone)


def _convert(moment: datetime, zone: tzinfo) -> datetime:
    """`moment.astimezone(zone)`, held at datetime's first or last instant where the shift
    would leave its range (OverflowError)."""
    try:
        return moment.astimezone(zone)
    except (OverflowError, ValueError):
        edge = datetime.max if moment.year > 5000 else datetime.min
        return edge.replace(tzinfo=zone)


_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("mon", "monday", "周一", "星期一"),
            ("tue", "tuesday", "周二", "星期二"),
            ("wed", "wednesday", "周三", "星期三"),
            ("thu", "thursday", "周四", "星期四"),
            ("fri", "friday", "周五", "星期五"),
            ("sat", "saturday", "周六", "星期六"),
            ("sun", "sunday", "周日", "星期日"),
        ]
    )
    for name in names
}
_OFFSET_RE = re.compile(r"^([+-]?)(\d+)([dwmy])$")
_CJK_DATE_RE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?$")


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def relative_date(word: str, today: date) -> date | None:
    """The date a relative word names, or None when it is not one.

    today/tomorrow/yesterday, sow/eow (Monday/Sunday), som/eom, soy/eoy, +3d/-1w/+2m/+1y
    (a bare `3d` means the future), weekday names (the next such day, today excluded).
    """
    w = word.strip().lower()
    simple = {
        "today": today,
        "now": today,
        "tomorrow": today + timedelta(days=1),
        "yesterday": today - timedelta(days=1),
        "sow": today - timedelta(days=today.weekday()),
        "eow": today + timedelta(days=6 - today.weekday()),
        "som": today.replace(day=1),
        "eom": today.replace(day=calendar.monthrange(today.year, today.month)[1]),
        "soy": date(today.year, 1, 1),
        "eoy": date(today.year, 12, 31),
        "今天": today,
        "明天": today + timedelta(days=1),
        "昨天": today - timedelta(days=1),
    }
    if w in simple:
        return simple[w]
    m = _OFFSET_RE.match(w)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        n = int(m.group(2)) * sign
        unit = m.group(3)
        if unit == "d":
            return today + timedelta(days=n)
        if unit == "w":
            return today + timedelta(weeks=n)
        if unit == "m":
            return add_months(today, n)
        return add_months(today, 12 * n)
    if w in _WEEKDAYS:
        ahead = (_WEEKDAYS[w] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


def month_days(start: date, count: int) -> list[str]:
    """'MM-DD' of `count` days from `start`, wrapping the year end (matches `birthday_md`)."""
    return [(start + timedelta(days=i)).strftime("%m-%d") for i in range(count)]


def parse_date(text: str, today: date) -> date:
    """A date from what a rep typed: ISO, relative words, 11月30日, or a common format."""
    raw = text.strip()
    if not raw:
        raise DateError("a date is required")
    rel = relative_date(raw, today)
    if rel is not None:
        return rel
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    m = _CJK_DATE_RE.match(raw)
    if m:
        year = int(m.group(1)) if m.group(1) else today.year
        try:
            return date(year, int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            raise DateError(f"'{raw}' is not a real date ({exc})") from None
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", raw):
        raise DateError(f"'{raw}' is not a real date")
    from dateutil import parser as dateutil_parser  # only for the uncommon formats

    try:
        # A fixed default keeps a missing year at this year and a missing day at the 1st.
        parsed = dateutil_parser.parse(raw, default=datetime(today.year, today.month, 1))
    except (ValueError, OverflowError):
        raise DateError(
            f"'{raw}' is not a date (try 2026-11-30, tomorrow, +3d, fri or eom)"
        ) from None
    return parsed.date()


_TIME_RE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def parse_time(text: str) -> time:
    m = _TIME_RE.match(text.strip())
    if not m:
        raise DateError(f"'{text}' is not a time (try 14:30)")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        if not 1 <= hour <= 12:
            raise DateError(f"'{text}' is not a time (try 2pm or 14:00)")
        hour = hour % 12 + (12 if m.group(3).lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        raise DateError(f"'{text}' is not a time (try 14:30)")
    return time(hour, minute)


def parse_when(text: str, clock: Clock) -> tuple[datetime, bool]:
    """A due moment: 'fri', 'tomorrow 14:30', '2026-12-01T09:00+08:00'.

    Returns (aware UTC datetime, all_day). A date alone is all-day and stored as the start
    of that local day.
    """
    raw = text.strip()
    if not raw:
        raise DateError("a date is required")
    if "T" in raw and raw[:4].isdigit():
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise DateError(f"'{raw}' is not a date and time (try 2026-11-30 14:30)") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.zone)
        return moment.astimezone(UTC), False
    parts = raw.rsplit(" ", 1)
    if len(parts) == 2 and _TIME_RE.match(parts[1]):
        day = parse_date(parts[0], clock.today())
        return clock.at_local(day, parse_time(parts[1])), False
    return clock.day_start_utc(parse_date(raw, clock.today())), True


def utc(moment: datetime | None) -> datetime | None:
    """Aware UTC from what SQLite gave back (naive values there are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return _convert(moment, UTC)


def day_label(day: date, today: date, weekday: bool = False) -> str:
    """A day as a rep reads it: `12-11` when near (within ~6 months, same year), else with
    the year (`2025-12-11` must not read as next week); `weekday` prefixes `Fri `."""
    near = day.year == today.year and abs((day - today).days) <= 183
    text = f"{day:%m-%d}" if near else f"{day.year:04d}-{day:%m-%d}"
    return f"{day:%a} {text}" if weekday else text
