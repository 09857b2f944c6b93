"""Provides the read queries of the pipeline board and the expense totals.

The board never loads every deal: per stage it reads a window of cards (open deals by
expected close date, closed ones newest first) and the stage's count and totals, summed in
SQL with the same rounding as `rules.weighted_amount`. Totals are kept per currency, since
amounts in different currencies do not add up.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from crm_tui.domain.pipeline import Card, Money, StageColumn
from crm_tui.domain.rules import STAGE_ORDER, ExpenseStatus, Stage

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

CARDS_PER_STAGE = 50
__all__ = [
    "CARDS_PER_STAGE",
    "Card",
    "Money",
    "StageColumn",
    "board",
    "expense_totals",
    "stage_cards",
    "stage_totals",
]

_CARD_SQL = """
SELECT o.id, o.title, coalesce(c.name, '') AS customer, o.amount, o.currency, o.probability,
       o.expected_close, o.closed_on
FROM opportunity o LEFT JOIN customer c ON c.id = o.customer_id
WHERE o.deleted = 0 AND o.stage = :stage AND {cond}
ORDER BY {order} LIMIT :limit
"""


def _card(row: Any) -> Card:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value[:10]) if value else None

    return Card(
        row.id,
        row.title,
        row.customer,
        row.amount,
        row.currency,
        row.probability,
        day(row.expected_close),
        day(row.closed_on),
    )


def stage_cards(
    db: Database, stage: Stage, limit: int = CARDS_PER_STAGE, offset: int = 0
) -> list[Card]:
    """`limit` deals of a stage from position `offset`: open ones by expected close (undated
    last), closed ones by the day they closed, newest first."""
    with db.engine.connect() as conn:
        if stage in (Stage.WON, Stage.LOST):
            parts = [
                ("o.closed_on IS NOT NULL", "o.closed_on DESC, o.id DESC"),
                ("o.closed_on IS NULL", "o.id DESC"),
            ]
        else:
            parts = [
                ("o.expected_close IS NOT NULL", "o.expected_close, o.id"),
                ("o.expected_close IS NULL", "o.id"),
            ]
        cards: list[Card] = []
        skip = offset
        for cond, order in parts:
            if len(cards) >= limit:
                break
            sql = text(_CARD_SQL.format(cond=cond, order=order) + " OFFSET :skip")
            params = {"stage": stage.value, "limit": limit - len(cards), "skip": skip}
            found = [_card(row) for row in conn.execute(sql, params)]
            if not found and skip:
                # The window starts past this part: count it to know how far into the next.
                count_sql = text(
                    "SELECT count(*) FROM opportunity o WHERE o.deleted = 0 "
                    f"AND o.stage = :stage AND {cond}"
                )
                skip = max(0, skip - conn.execute(count_sql, {"stage": stage.value}).scalar_one())
            else:
                skip = 0
            cards.extend(found)
    return cards


def stage_totals(db: Database) -> dict[Stage, StageColumn]:
    """Count and per-currency totals of every stage, from the covering index alone."""
    columns = {stage: StageColumn(stage) for stage in STAGE_ORDER}
    sql = text(
        "SELECT stage, currency, count(*) AS n, coalesce(sum(amount), 0) AS total, "
        "coalesce(sum((amount * probability + 50) / 100), 0) AS weighted "
        "FROM opportunity WHERE deleted = 0 GROUP BY stage, currency"
    )
    with db.engine.connect() as conn:
        for row in conn.execute(sql):
            try:
                column = columns[Stage(row.stage)]
            except ValueError:
                continue  # a stage this client does not know (newer server)
            column.count += row.n
            column.totals[row.currency] = Money(row.n, row.total, row.weighted)
    return columns


def board(db: Database, per_stage: int = CARDS_PER_STAGE) -> list[StageColumn]:
    """Every stage in pipeline order with its totals and its first `per_stage` cards."""
    columns = stage_totals(db)
    for stage, column in columns.items():
        if column.count:
            column.cards = stage_cards(db, stage, per_stage)
    return list(columns.values())


def expense_totals(db: Database) -> dict[ExpenseStatus, dict[str, Money]]:
    """Claims by status: count and total per currency (weighted is unused here)."""
    out: dict[ExpenseStatus, dict[str, Money]] = {status: {} for status in ExpenseStatus}
    sql = text(
        "SELECT status, currency, count(*) AS n, coalesce(sum(amount), 0) AS total "
        "FROM expense WHERE deleted = 0 GROUP BY status, currency"
    )
    with db.engine.connect() as conn:
        for row in conn.execute(sql):
            try:
                status = ExpenseStatus(row.status)
            except ValueError:
                continue
            out[status][row.currency] = Money(row.n, row.total, 0)
    return out
