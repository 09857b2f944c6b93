"""Provides the urgency score: a weighted sum of terms a rep can read, as Taskwarrior does.

Each term has a value between 0 and 1 and a weight (its coefficient); the score is the sum of
value × weight. The weights are configurable (JSON in the `urgency.weights` setting); the
storage side (crm_tui/query/urgency.py) computes the same sum in SQL so a list can sort by
it, and `crm why ID` prints these terms.

Follow-ups: due (1.0 at a week overdue, falling linearly to 0.2 two weeks ahead), overdue,
the weighted value of the linked deal, the customer's grade. A done follow-up scores 0.
Customers: days since the last done follow-up (or since the customer was added), grade,
open weighted pipeline, and how long the oldest open deal has sat in its stage.

Days are counted from `as_of`, the start of the rep's local day (`as_of(clock)`), not from
the current second: a score then holds all day, so it can be stored and sorted on
(crm_tui/storage/urgency_store.py), and "overdue" means due before today, as on the lists.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock

WEIGHTS_KEY = "urgency.weights"  # the setting (sync_state) that holds the rep's weights
GRADE_VALUE = {"A": 1.0, "B": 0.5, "C": 0.2}
DUE_FULL_DAYS = -7.0  # due this many days ago counts in full
DUE_FLOOR_DAYS = 14.0  # due this many days ahead (or later) counts 0.2
DUE_FLOOR = 0.2


@dataclass(frozen=True)
class Weights:
    """Coefficients of each term, and the scales that turn amounts and days into 0..1."""

    due: float = 12.0
    overdue: float = 3.0
    deal: float = 4.0
    grade: float = 2.0
    since_contact: float = 5.0
    customer_grade: float = 3.0
    pipeline: float = 4.0
    stage_age: float = 2.0
    deal_scale: int = 100_000_00  # weighted value (minor units) that counts in full
    contact_days: float = 60.0  # days without contact that count in full
    stage_days: float = 30.0  # days in one stage that count in full

    @classmethod
    def from_json(cls, text: str | None) -> Weights:
        """Weights from the setting; unknown keys are ignored and bad values refused."""
        if not text:
            return cls()
        data = json.loads(text)
        known = {f.name: f.type for f in fields(cls)}
        changes = {}
        for key, value in data.items():
            if key in known:
                if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"urgency weight {key} must be a number ≥ 0")
                changes[key] = value
        return replace(cls(), **changes)

    def to_json(self) -> str:
        return json.dumps(asdict(self))


@dataclass(frozen=True)
class Term:
    """One reason a record is urgent: its value (0..1), weight and a line for the rep."""

    name: str
    value: float
    weight: float
    detail: str

    @property
    def score(self) -> float:
        return self.value * self.weight


def as_of(clock: Clock) -> datetime:
    """The moment urgency counts days from: the start of the local day, in UTC."""
    return clock.day_start_utc(clock.today()).astimezone(UTC)


def as_of_text(moment: datetime) -> str:
    """`moment` as stored datetimes are: naive UTC text (julianday() reads both alike)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def weights_from_setting(text: str | None) -> Weights:
    """Weights from the setting's text; a bad setting means the defaults."""
    try:
        return Weights.from_json(text)
    except ValueError:
        return Weights()


def total(terms: list[Term]) -> float:
    return round(sum(t.score for t in terms), 3)


def _days(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86_400


def due_value(days_until_due: float) -> float:
    """1.0 at a week overdue or more, 0.2 at two weeks ahead or later, linear between."""
    if days_until_due <= DUE_FULL_DAYS:
        return 1.0
    if days_until_due >= DUE_FLOOR_DAYS:
        return DUE_FLOOR
    span = DUE_FLOOR_DAYS - DUE_FULL_DAYS
    return 1.0 - (days_until_due - DUE_FULL_DAYS) * (1.0 - DUE_FLOOR) / span


def _due_text(days: float) -> str:
    whole = math.floor(days)  # days from the start of today: 0 is today, -1 yesterday
    if whole == 0:
        return "due today"
    if whole == 1:
        return "due tomorrow"
    if whole > 1:
        return f"due in {whole} days"
    return f"{-whole} day{'s' if whole < -1 else ''} overdue"


def followup_terms(
    *,
    now: datetime,
    due_at: datetime | None,
    done_at: datetime | None,
    deal_weighted: int | None,
    grade: str | None,
    weights: Weights = Weights(),
) -> list[Term]:  # noqa: B008 - frozen default
    """The terms of a follow-up's urgency (empty when it is done); `now` is `as_of(clock)`."""
    if done_at is not None:
        return []
    terms = []
    if due_at is not None:
        days = _days(due_at, now)
        terms.append(Term("due", due_value(days), weights.due, _due_text(days)))
        if days < 0:
            terms.append(Term("overdue", 1.0, weights.overdue, "overdue"))
    if deal_weighted:
        value = min(1.0, deal_weighted / weights.deal_scale) if weights.deal_scale else 1.0
        terms.append(
            Term("deal", value, weights.deal, f"linked deal weighted {deal_weighted / 100:,.0f}")
        )
    if grade in GRADE_VALUE:
        terms.append(Term("grade", GRADE_VALUE[grade], weights.grade, f"grade {grade} customer"))
    return terms


def customer_terms(
    *,
    now: datetime,
    last_contact: datetime,
    grade: str | None,
    pipeline: int,
    oldest_stage_change: datetime | None,
    weights: Weights = Weights(),
) -> list[Term]:  # noqa: B008
    """The terms of a customer's urgency; `now` is `as_of(clock)`."""
    terms = []
    days = max(0.0, _days(now, last_contact))
    if weights.contact_days:
        terms.append(
            Term(
                "since_contact",
                min(1.0, days / weights.contact_days),
                weights.since_contact,
                f"{math.ceil(days)} days since last contact",
            )
        )
    if grade in GRADE_VALUE:
        terms.append(Term("grade", GRADE_VALUE[grade], weights.customer_grade, f"grade {grade}"))
    if pipeline:
        value = min(1.0, pipeline / weights.deal_scale) if weights.deal_scale else 1.0
        terms.append(
            Term(
                "pipeline", value, weights.pipeline, f"open pipeline weighted {pipeline / 100:,.0f}"
            )
        )
    if oldest_stage_change is not None and weights.stage_days:
        stuck = max(0.0, _days(now, oldest_stage_change))
        terms.append(
            Term(
                "stage_age",
                min(1.0, stuck / weights.stage_days),
                weights.stage_age,
                f"a deal {math.ceil(stuck)} days in its stage",
            )
        )
    return terms
