"""Provides the deal use cases: the board (stage columns of cards and totals), stage moves
(won needs a day, lost a reason), the team's lost reasons, create and edit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crm_tui.domain.pipeline import Card, Money, StageColumn
from crm_tui.domain.rules import Stage

if TYPE_CHECKING:
    from crm_tui.domain.models import Opportunity
    from crm_tui.services.book import Book

__all__ = [
    "Card",
    "Money",
    "StageColumn",
    "add_lost_reason",
    "board",
    "create",
    "get",
    "lost_reasons",
    "move",
    "stage_cards",
    "stage_totals",
    "update",
]


def board(book: Book) -> list[StageColumn]:
    """Every stage with its first cards, count and totals per currency."""
    from crm_tui.storage import pipeline

    return pipeline.board(book.db)


def stage_totals(book: Book) -> list[StageColumn]:
    """Every stage's count and totals, without cards (the list view's summary line)."""
    from crm_tui.storage import pipeline

    return list(pipeline.stage_totals(book.db).values())


def stage_cards(book: Book, stage: Stage, offset: int = 0) -> list[Card]:
    """The next window of a stage's cards, from position `offset`."""
    from crm_tui.storage import pipeline

    return pipeline.stage_cards(book.db, stage, offset=offset)


def get(book: Book, deal_id: str) -> Opportunity | None:
    return book.db.repos.opportunities.get(deal_id)


def create(book: Book, values: Mapping[str, Any]) -> Opportunity:
    return book.db.repos.opportunities.create(dict(values))


def update(book: Book, deal_id: str, changes: Mapping[str, Any]) -> Opportunity:
    return book.db.repos.opportunities.update(deal_id, dict(changes))


def move(book: Book, deal_id: str, step: int, **closing: Any) -> Opportunity:
    """Move a deal `step` stages (closed_on for won; lost_reason, lost_note for lost).
    ValidationErrors when the move is refused. Winning a lost deal (the board's step back
    from lost, `crm won`) drops why it was lost: a won deal with a lost reason and the
    rival who beat us would count in the lost-reasons report."""
    from crm_tui.domain.rules import Stage, next_stage

    repo = book.db.repos.opportunities
    deal = repo.require(deal_id)
    if deal.stage == Stage.LOST and next_stage(Stage.LOST, step) is Stage.WON:
        changes: dict[str, Any] = {
            "stage": Stage.WON.value,
            "closed_on": closing.get("closed_on") or book.clock.today(),
            "lost_reason": None,
            "lost_note": None,
            "competitor_id": None,
        }
        return repo.update(deal_id, changes)
    return repo.move(deal_id, step, **closing)


def mark_lost(book: Book, deal_id: str, reason: str, note: str | None = None) -> Opportunity:
    """Mark a deal lost from whatever stage it is in (no stop at won on the way), closed
    today, with the reason (added to the team's list when new). ValidationErrors when
    refused."""
    from crm_tui.domain.rules import STAGE_ORDER, Stage

    deal = book.db.repos.opportunities.require(deal_id)
    step = STAGE_ORDER.index(Stage.LOST) - STAGE_ORDER.index(Stage(deal.stage))
    add_lost_reason(book, reason)
    return move(book, deal_id, step, lost_reason=reason, lost_note=note or None)


def lost_reasons(book: Book) -> list[str]:
    return book.db.repos.lost_reasons.names()


def add_lost_reason(book: Book, reason: str) -> None:
    """Add a reason to the team's list; the built-in reasons join it the first time, so a
    team that adds its own does not lose the usual ones."""
    repo = book.db.repos.lost_reasons
    known = repo.names()
    if reason.lower() in (name.lower() for name in known):
        return
    with book.db.transaction():
        if repo.count() == 0:
            for name in known:
                repo.create({"name": name})
        repo.create({"name": reason})
