"""Provides the shapes the report SQL answers in: a period window, whose records (scope),
and the rows and figures the queries return (storage/report_queries.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date

from crm_tui.domain.dates import Clock


def day_start_text(day: date, clock: Clock) -> str:
    """A local day's start as stored: naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    return clock.day_start_utc(day).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class Window:
    """Local dates [start, end) and the same range as stored UTC timestamps."""

    start: date
    end: date
    start_ts: str
    end_ts: str

    @classmethod
    def of(cls, start: date, end: date, clock: Clock) -> Window:
        return cls(start, end, day_start_text(start, clock), day_start_text(end, clock))


@dataclass(frozen=True)
class Scope:
    """Whose records: the rep's own (`owner_id IS owner`) or the whole team."""

    owner_id: str | None = None
    team: bool = False

    def clause(self, alias: str = "", *, indexed: bool = True) -> str:
        """The SQL that limits a query to this scope.

        `indexed=False` writes `+owner_id` so SQLite will not pick an owner index over the
        range the query is really about (a period of dates).
        """
        if self.team:
            return ""
        plus = "" if indexed else "+"
        return f" AND {plus}{alias}owner_id IS :owner"


@dataclass
class SummaryFigures:
    followups_by_kind: dict[str, int] = field(default_factory=dict)
    customers_visited: int = 0
    new_customers: int = 0
    won_count: int = 0
    won_amount: int = 0
    lost_count: int = 0
    lost_amount: int = 0
    claims_count: int = 0
    claimed_amount: int = 0

    @property
    def followups_done(self) -> int:
        return sum(self.followups_by_kind.values())


@dataclass
class StageRow:
    stage: str
    count: int
    amount: int
    weighted: int


@dataclass
class GradeRow:
    customer_id: str
    name: str
    manual: str | None
    won_amount: int


@dataclass
class ColdRow:
    customer_id: str
    name: str
    city: str | None
    status: str
    last_done: date
