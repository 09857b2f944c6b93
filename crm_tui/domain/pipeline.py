"""Provides the deals board's records: `Card` (one deal), `Money` (count and sums of one
currency) and `StageColumn` (a stage's deals and totals). Plain data, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crm_tui.domain.rules import Stage


@dataclass(frozen=True)
class Card:
    """One deal as the board shows it."""

    id: str
    title: str
    customer: str
    amount: int
    currency: str
    probability: int
    expected_close: date | None
    closed_on: date | None


@dataclass
class Money:
    """A count and sums of one currency: total and probability-weighted total (minor units)."""

    count: int = 0
    total: int = 0
    weighted: int = 0


@dataclass
class StageColumn:
    stage: Stage
    count: int = 0
    totals: dict[str, Money] = field(default_factory=dict)
    cards: list[Card] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many deals of this stage are not among the cards shown."""
        return max(0, self.count - len(self.cards))
