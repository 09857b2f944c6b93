"""Provides churn risk, pure: a score from 0 to 1 per customer, made of reasons a rep can
read (the terms `crm why` and `w` print, as urgency's are).

Each reason is a `Term` (domain/urgency.py) with a value from 0 to 1 and a weight under 1;
the risk is 1 − Π(1 − value × weight), so every reason adds to it, none alone passes its
weight, and the total stays under 1. The reasons, from the customer's own rhythm:

- order overdue: days since the last order against the customer's usual interval between
  orders (the book's when it has only one): nothing until one interval has passed, in full
  at three intervals (a monthly buyer silent for three months; a yearly buyer who bought
  three months ago scores nothing);
- contact gap: days since the last done follow-up against the grade's cadence (A 14, B 30,
  C 60 days): in full at four cadences;
- falling value: the last order against the average of the earlier ones (three or more);
- lost deals in the last year, and to which competitor;
- low satisfaction: the latest score (1..5) of 2 or less, or a drop of 2 or more;
- open complaints and repeat repairs (service orders, when that module is there).

Days count from `today`, the rep's local day: a risk holds all day, so it is stored
(storage/insight_store.py) and the stored figure equals what `explain` shows that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from crm_tui.domain.insight import Order
from crm_tui.domain.urgency import Term

CADENCE_DAYS = {"A": 14.0, "B": 30.0, "C": 60.0}
DEFAULT_CADENCE = 60.0
LOST_WINDOW_DAYS = 365
REPAIR_WINDOW_DAYS = 90
LOW_SCORE = 2  # on the 1..5 scale: 1 and 2 are dissatisfied

W_ORDER = 0.8
W_CONTACT = 0.3
W_FALLING = 0.3
W_LOST = 0.5
W_SATISFACTION = 0.6
W_SERVICE = 0.5


@dataclass(frozen=True)
class LostDeal:
    closed_on: date
    competitor: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class History:
    """What churn risk reads of one customer (plain values; storage gathers them)."""

    orders: Sequence[Order] = ()
    interval: float | None = None  # the customer's usual interval (domain/insight.py)
    book_interval: float = 90.0
    last_payment: date | None = None
    last_contact: date | None = None
    since: date | None = None  # when the customer was added (the contact gap's start)
    grade: str | None = None
    lost: Sequence[LostDeal] = ()
    scores: Sequence[int] = ()  # satisfaction scores, oldest first
    open_complaints: int = 0
    recent_repairs: int = 0


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def risk(terms: Sequence[Term]) -> float:
    """1 − Π(1 − value × weight), rounded to 3 places (the stored figure)."""
    keep = 1.0
    for term in terms:
        keep *= 1.0 - _clamp(term.value) * term.weight
    return round(1.0 - keep, 3)


def terms(history: History, today: date) -> list[Term]:
    """The reasons this customer may be drifting away, strongest wording first."""
    out: list[Term] = []
    h = history
    if h.orders:
        last = max(o.day for o in h.orders)
        if h.last_payment and h.last_payment > last:
            last = h.last_payment
        interval = h.interval or h.book_interval
        days = (today - last).days
        ratio = days / interval if interval else 0.0
        value = _clamp((ratio - 1.0) / 2.0)
        if value > 0:
            usual = "usual" if h.interval else "the book's usual"
            out.append(
                Term(
                    "order_overdue",
                    round(value, 3),
                    W_ORDER,
                    f"no order for {days} days; {usual} interval is {interval:.0f} days",
                )
            )
    start = h.last_contact or h.since
    if start is not None and h.orders:
        cadence = CADENCE_DAYS.get(h.grade or "", DEFAULT_CADENCE)
        gap = (today - start).days
        value = _clamp((gap / cadence - 1.0) / 3.0)
        if value > 0:
            grade = f"grade {h.grade}" if h.grade else "ungraded"
            out.append(
                Term(
                    "contact_gap",
                    round(value, 3),
                    W_CONTACT,
                    f"no contact for {gap} days ({grade}: every {cadence:.0f} days)",
                )
            )
    ordered = sorted(h.orders, key=lambda o: o.day)
    if len(ordered) >= 3:
        earlier = ordered[:-1]
        mean = sum(o.amount for o in earlier) / len(earlier)
        last_amount = ordered[-1].amount
        if mean > 0 and last_amount < mean:
            drop = 1.0 - last_amount / mean
            value = _clamp(drop * 2.0)  # half the usual order counts in full
            out.append(
                Term(
                    "falling_value",
                    round(value, 3),
                    W_FALLING,
                    f"last order {drop:.0%} below their average",
                )
            )
    lost = [d for d in h.lost if 0 <= (today - d.closed_on).days <= LOST_WINDOW_DAYS]
    if lost:
        rivals = sorted({d.competitor for d in lost if d.competitor})
        detail = f"lost {len(lost)} deal{'s' if len(lost) > 1 else ''} in the last year"
        if rivals:
            detail += " to " + ", ".join(rivals)
        reasons = sorted({d.reason for d in lost if d.reason})
        if reasons:
            detail += f" ({', '.join(reasons)})"
        out.append(Term("lost_deals", _clamp(len(lost) / 2.0), W_LOST, detail))
    if h.scores:
        latest = h.scores[-1]
        previous = h.scores[-2] if len(h.scores) > 1 else None
        value = 0.0
        if latest <= LOW_SCORE:
            value = 1.0 if latest <= 1 else 0.6
            detail = f"latest satisfaction {latest}/5"
        elif previous is not None and previous - latest >= 2:
            value = 0.4
            detail = f"satisfaction fell from {previous} to {latest}/5"
        if value:
            out.append(Term("satisfaction", value, W_SATISFACTION, detail))
    if h.open_complaints or h.recent_repairs >= 2:
        parts = []
        if h.open_complaints:
            parts.append(f"{h.open_complaints} open complaint{'s' * (h.open_complaints > 1)}")
        if h.recent_repairs >= 2:
            parts.append(f"{h.recent_repairs} repairs in {REPAIR_WINDOW_DAYS} days")
        value = _clamp(h.open_complaints / 2.0 + max(0, h.recent_repairs - 1) / 3.0)
        out.append(Term("service", value, W_SERVICE, "; ".join(parts)))
    return out


def trend(scores: Sequence[int]) -> str:
    """'↑', '↓' or '→' from the last two scores ('' with fewer)."""
    if len(scores) < 2:
        return ""
    a, b = scores[-2], scores[-1]
    return "↑" if b > a else "↓" if b < a else "→"
