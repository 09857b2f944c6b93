"""Provides the pure rules of the customer pool (公海, issue 18): the team's rules per grade,
when an owned customer goes back to the pool (and when to warn), the per-rep cap, the wait
before a previous owner may take a customer back, and the distance between two coordinates
(haversine) that flags a visit check-in made far from the customer.

No I/O and no ORM: the server's release pass, its claim command and the laptop's desk all
call these with plain values, so the laptop's warning and the server's release agree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

DEFAULT_GRADE = "*"  # the rules row for customers of any grade without their own row
EARTH_RADIUS_M = 6_371_008.8
DEFAULT_FLAG_METRES = 1_000


class PoolError(ValueError):
    """A pool rule was broken; the message is what the rep reads."""


@dataclass(frozen=True)
class PoolRule:
    """The rules for one grade; 0 days switches a clock off, cap 0 means no cap."""

    grade: str = DEFAULT_GRADE
    followup_days: int = 30  # release after this many days without a done follow-up
    deal_days: int = 0  # ... and/or this many days without an open deal (0: off)
    exempt_won: bool = True  # a customer with a won deal stays with its owner
    exempt_open_deal: bool = True  # ... as does one with an open deal
    warn_days: int = 7  # the desk warns this many days before release
    cap: int = 0  # customers one rep may own (0: no cap)
    reclaim_days: int = 15  # days before a previous owner may claim it back


DEFAULT_RULE = PoolRule()
RULE_FIELDS = (
    "followup_days",
    "deal_days",
    "exempt_won",
    "exempt_open_deal",
    "warn_days",
    "cap",
    "reclaim_days",
)


def rule_from_values(values: Mapping[str, Any]) -> PoolRule:
    """A rule from a stored `pool_rule` row (missing or empty values keep the defaults)."""
    given: dict[str, Any] = {}
    for name in RULE_FIELDS:
        value = values.get(name)
        if value is None or value == "":
            continue
        if name.startswith("exempt"):
            given[name] = bool(value)
        else:
            number = int(value)
            if number < 0:
                raise PoolError(f"{name.replace('_', ' ')} cannot be negative")
            given[name] = number
    grade = str(values.get("grade") or DEFAULT_GRADE)
    return replace(DEFAULT_RULE, grade=grade, **given)


@dataclass(frozen=True)
class PoolRules:
    """The team's rules: one per grade, falling back to the default row, then built-ins."""

    by_grade: Mapping[str, PoolRule]

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> PoolRules:
        return cls({r.grade: r for r in (rule_from_values(v) for v in rows)})

    def for_grade(self, grade: str | None) -> PoolRule:
        if grade and grade in self.by_grade:
            return self.by_grade[grade]
        return self.by_grade.get(DEFAULT_GRADE, DEFAULT_RULE)

    @property
    def cap(self) -> int:
        """The per-rep cap (the default row's; a grade row cannot lift the team's cap)."""
        return self.for_grade(None).cap


@dataclass(frozen=True)
class Standing:
    """What the pool rules know of one owned customer."""

    grade: str | None
    owned_since: datetime  # when its owner got it (created, claimed or assigned)
    last_done: datetime | None = None  # its newest done follow-up
    last_open_deal: datetime | None = None  # newest change of an open deal (None: none)
    has_open_deal: bool = False
    has_won_deal: bool = False
    locked: bool = False


def release_at(rules: PoolRules, s: Standing) -> datetime | None:
    """When this customer goes back to the pool, or None when it never does (locked,
    exempt, or every clock switched off). The earlier clock wins."""
    rule = rules.for_grade(s.grade)
    if s.locked:
        return None
    if (rule.exempt_won and s.has_won_deal) or (rule.exempt_open_deal and s.has_open_deal):
        return None
    moments = []
    if rule.followup_days:
        since = max(s.owned_since, s.last_done) if s.last_done else s.owned_since
        moments.append(since + timedelta(days=rule.followup_days))
    if rule.deal_days:
        since = max(s.owned_since, s.last_open_deal) if s.last_open_deal else s.owned_since
        moments.append(since + timedelta(days=rule.deal_days))
    return min(moments) if moments else None


def is_due(rules: PoolRules, s: Standing, now: datetime) -> bool:
    when = release_at(rules, s)
    return when is not None and when <= now


def warn_from(rules: PoolRules, s: Standing) -> datetime | None:
    """From when the desk warns that this customer is going to the pool."""
    when = release_at(rules, s)
    if when is None:
        return None
    return when - timedelta(days=rules.for_grade(s.grade).warn_days)


def days_left(when: datetime, now: datetime) -> int:
    """Whole days until `when` (0 today or overdue): what the desk shows."""
    return max(0, math.ceil((when - now).total_seconds() / 86_400))


def why_not_claim(
    rules: PoolRules,
    *,
    actor_id: str,
    owned: int,
    grade: str | None,
    previous_owner_id: str | None,
    released_at: datetime | None,
    now: datetime,
) -> str | None:
    """May `actor_id`, who owns `owned` customers, claim a pooled customer? None if so.
    Checked the same way on the laptop (a warning) and the server (the refusal)."""
    cap = rules.cap
    if cap and owned >= cap:
        return f"you already own {owned} customers, the team's cap is {cap}; release one first"
    if previous_owner_id == actor_id and released_at is not None:
        free_at = released_at + timedelta(days=rules.for_grade(grade).reclaim_days)
        if now < free_at:
            left = days_left(free_at, now)
            return (
                f"you owned this customer until {released_at:%Y-%m-%d}; "
                f"you may claim it back in {left} day{'s' if left != 1 else ''}"
            )
    return None


# --- visit check-in: distance -------------------------------------------------------------
_COORD_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,，]\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_coordinates(text: str) -> tuple[float, float]:
    """'31.2304,121.4737' -> (lat, lng); a bad or out-of-range pair is a PoolError."""
    match = _COORD_RE.match(text or "")
    if not match:
        raise PoolError(f"'{text}' is not LAT,LNG (try 31.2304,121.4737)")
    lat, lng = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise PoolError(f"'{text}' is off the map (latitude ±90, longitude ±180)")
    return lat, lng


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lat, lng) points (haversine)."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def far_from_customer(
    at: tuple[float, float] | None,
    customer: tuple[float, float] | None,
    limit_m: int = DEFAULT_FLAG_METRES,
) -> float | None:
    """The distance when a check-in is more than `limit_m` from the customer (a flag, never
    a refusal); None when close enough or either side has no coordinates."""
    if at is None or customer is None:
        return None
    d = distance_m(at, customer)
    return d if d > limit_m else None
