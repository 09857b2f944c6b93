"""Provides customer insight, pure: RFM scores in quintiles, the eight RFM groups, and the
lifetime value estimate. Churn risk (with its reasons) is domain/churn.py.

RFM: recency is the day of the customer's last order (a won deal's close day, or a payment
received if later), frequency the number of won deals, monetary the sum of their amounts
(minor units; the book's currencies are summed as they are). Each is scored 1..5 against
cut points taken from every customer who has bought (quintiles); recency is scored on the
*day* of the last order, not on days since it, so the scores do not move overnight and can
be kept current one customer at a time (storage/insight_store.py). A score of 4 or 5 is
"high": above the middle fifth. The three highs and lows name the eight groups Chinese sales
teams use (重要价值客户 and the rest); a customer with no orders has no group.

Lifetime value: average order value × orders per year × the expected lifespan of a
customer, taken from the book's own history (`expected_lifespan_years`).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

HIGH_SCORE = 4  # a quintile score of 4 or 5 counts as high
DEFAULT_INTERVAL_DAYS = 90.0  # the usual gap between orders when the book has no history
MIN_INTERVAL_DAYS = 7.0  # two orders in one week are one buying moment, not a weekly rhythm
MIN_LIFESPAN_YEARS = 1.0
MAX_LIFESPAN_YEARS = 10.0


@dataclass(frozen=True)
class Segment:
    """One RFM group: the key stored and typed in queries, its Chinese and English names."""

    key: str
    chinese: str
    english: str
    recency_high: bool
    frequency_high: bool
    monetary_high: bool

    @property
    def label(self) -> str:
        return f"{self.chinese} {self.english}"

    @property
    def important(self) -> bool:
        """The four 重要 (important) groups: high monetary value."""
        return self.monetary_high


SEGMENTS: tuple[Segment, ...] = (
    Segment("important-value", "重要价值", "Important value", True, True, True),
    Segment("important-develop", "重要发展", "Important to develop", True, False, True),
    Segment("important-keep", "重要保持", "Important to keep", False, True, True),
    Segment("important-retain", "重要挽留", "Important to win back", False, False, True),
    Segment("general-value", "一般价值", "General value", True, True, False),
    Segment("general-develop", "一般发展", "General to develop", True, False, False),
    Segment("general-keep", "一般保持", "General to keep", False, True, False),
    Segment("general-retain", "一般挽留", "General to win back", False, False, False),
)
BY_KEY = {s.key: s for s in SEGMENTS}


def segment_named(text: str) -> Segment | None:
    """The segment a rep typed: its key, Chinese name, or a unique key prefix."""
    v = text.strip().lower()
    for s in SEGMENTS:
        if v in (s.key, s.chinese, s.chinese + "客户", s.english.lower()):
            return s
    starts = [s for s in SEGMENTS if s.key.startswith(v)]
    return starts[0] if len(starts) == 1 else None


def segment_of(r: int, f: int, m: int) -> Segment:
    high = (r >= HIGH_SCORE, f >= HIGH_SCORE, m >= HIGH_SCORE)
    for s in SEGMENTS:
        if (s.recency_high, s.frequency_high, s.monetary_high) == high:
            return s
    raise AssertionError("eight groups cover every combination")


# --- quintiles ------------------------------------------------------------------------------
def quintile_cuts(values: Iterable[float]) -> tuple[float, ...]:
    """The four cut points between fifths (nearest rank): the value at 20/40/60/80 %."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return ()
    return tuple(ordered[max(0, math.ceil(k * n / 5) - 1)] for k in (1, 2, 3, 4))


def quintile(value: float, cuts: Sequence[float]) -> int:
    """1..5: one more than the number of cut points below `value`, a cut point equal to it
    counting half (equal values score alike, in the middle of the fifths they fill: a book
    where most customers ordered once scores one order 2, not 1 or 4)."""
    if not cuts:
        return 3
    ordered = list(cuts)
    return (bisect_left(ordered, value) + bisect_right(ordered, value)) // 2 + 1


@dataclass(frozen=True)
class Cuts:
    """The quintile cut points of a book: recency (day ordinals), frequency, monetary."""

    recency: tuple[float, ...]
    frequency: tuple[float, ...]
    monetary: tuple[float, ...]

    def to_json(self) -> dict[str, list[float]]:
        return {"r": list(self.recency), "f": list(self.frequency), "m": list(self.monetary)}

    @classmethod
    def from_json(cls, data: dict[str, list[float]]) -> Cuts:
        return cls(tuple(data["r"]), tuple(data["f"]), tuple(data["m"]))


@dataclass(frozen=True)
class Rfm:
    """One customer's raw figures and scores."""

    last_order: date
    frequency: int
    monetary: int
    r: int
    f: int
    m: int

    @property
    def segment(self) -> Segment:
        return segment_of(self.r, self.f, self.m)


def book_cuts(raw: Iterable[tuple[date, int, int]]) -> Cuts:
    """Cut points from (last order, frequency, monetary) of every customer who bought."""
    rows = list(raw)
    return Cuts(
        quintile_cuts(d.toordinal() for d, _, _ in rows),
        quintile_cuts(f for _, f, _ in rows),
        quintile_cuts(m for _, _, m in rows),
    )


def score(last_order: date, frequency: int, monetary: int, cuts: Cuts) -> Rfm:
    return Rfm(
        last_order,
        frequency,
        monetary,
        quintile(last_order.toordinal(), cuts.recency),
        quintile(frequency, cuts.frequency),
        quintile(monetary, cuts.monetary),
    )


# --- rhythm and lifetime value --------------------------------------------------------------
@dataclass(frozen=True)
class Order:
    day: date
    amount: int


def usual_interval(days: Sequence[date]) -> float | None:
    """The median gap in days between a customer's buying days (None under two orders)."""
    distinct = sorted(set(days))
    if len(distinct) < 2:
        return None
    gaps = [(b - a).days for a, b in zip(distinct, distinct[1:], strict=False)]
    return max(MIN_INTERVAL_DAYS, float(median(gaps)))


def book_interval(intervals: Iterable[float | None]) -> float:
    """The book's typical interval: the median of its customers' own (for a one-order one)."""
    known = [i for i in intervals if i is not None]
    return float(median(known)) if known else DEFAULT_INTERVAL_DAYS


def expected_lifespan_years(histories: Iterable[Sequence[date]]) -> float:
    """How long a customer keeps buying, from the book: the mean span from first to last
    order (plus one usual interval) of customers with two or more orders, 1..10 years."""
    spans = []
    for days in histories:
        interval = usual_interval(days)
        if interval is None:
            continue
        spans.append(((max(days) - min(days)).days + interval) / 365.0)
    if not spans:
        return MIN_LIFESPAN_YEARS
    return min(MAX_LIFESPAN_YEARS, max(MIN_LIFESPAN_YEARS, sum(spans) / len(spans)))


def yearly_value(orders: Sequence[Order], today: date) -> float:
    """Average order value × orders per year (over the time since the first order, at
    least a year, so a new customer's one order is not counted as a yearly rhythm of 12)."""
    if not orders:
        return 0.0
    total = sum(o.amount for o in orders)
    first = min(o.day for o in orders)
    years = max(365, (today - first).days) / 365.0
    return (total / len(orders)) * (len(orders) / years)


def lifetime_value(orders: Sequence[Order], today: date, lifespan_years: float) -> int:
    """CLV in minor units: average order value × orders per year × expected lifespan."""
    return round(yearly_value(orders, today) * lifespan_years)


# Saved views of the customers list (services/views.py's defaults): one per group, and the
# desk panel's rule (important groups at risk).
SEGMENT_VIEWS: tuple[tuple[str, str], ...] = (
    (
        "Valuable customers at risk",
        "segment:important-value,important-develop,important-keep,important-retain risk>=0.4",
    ),
    *((s.label, f"segment:{s.key}") for s in SEGMENTS),
)
