"""Provides urgency in storage: the score as a SQL expression, and `explain` for one record.

Sorting a list by urgency uses `urgency_order(entity, db)`: the same weighted sum as
crm_tui/domain/urgency.py, computed by SQLite per row (correlated subqueries on indexed
columns), so a page of the most urgent records is read without loading the others. The
weights come from the `urgency.weights` setting (JSON; see `Weights`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, literal, select

from crm_tui.domain import rules
from crm_tui.domain.fields import entity as entity_spec
from crm_tui.domain.models import MODELS
from crm_tui.domain.urgency import (
    DUE_FLOOR,
    DUE_FLOOR_DAYS,
    DUE_FULL_DAYS,
    GRADE_VALUE,
    Term,
    Weights,
    customer_terms,
    followup_terms,
)
from crm_tui.query.compiler import live_rows

WEIGHTS_KEY = "urgency.weights"
URGENCY_ENTITIES = ("activity", "customer")
_OPEN = [s.value for s in rules.OPEN_STAGES]


def load_weights(db: Any) -> Weights:
    """The rep's weights (setting `urgency.weights`), or the defaults."""
    try:
        return Weights.from_json(db.state(WEIGHTS_KEY))
    except ValueError:
        return Weights()


def _now_text(db: Any) -> str:
    # Stored datetimes are naive UTC text; julianday() reads both the same way.
    return db.clock.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _grade_value(col: Any) -> Any:
    return case(*((col == g, v) for g, v in GRADE_VALUE.items()), else_=0.0)


def _weighted(opp: Any) -> Any:
    return (opp.amount * opp.probability + 50) // 100


def _days_since(now: Any, col: Any) -> Any:
    return func.julianday(now) - func.julianday(col)


def urgency_expression(entity_name: str, db: Any, weights: Weights | None = None) -> Any:
    """The urgency score of each row as a SQL expression (follow-ups and customers)."""
    name = entity_spec(entity_name).name
    w = weights or load_weights(db)
    now = literal(_now_text(db))
    opp, customer, activity = MODELS["opportunity"], MODELS["customer"], MODELS["activity"]
    if name == "activity":
        days = func.julianday(activity.due_at) - func.julianday(now)
        span = DUE_FLOOR_DAYS - DUE_FULL_DAYS
        due = case(
            (activity.due_at.is_(None), 0.0),
            (days <= DUE_FULL_DAYS, 1.0),
            (days >= DUE_FLOOR_DAYS, DUE_FLOOR),
            else_=1.0 - (days - DUE_FULL_DAYS) * (1.0 - DUE_FLOOR) / span,
        )
        overdue = case((days < 0, 1.0), else_=0.0)
        deal = func.coalesce(
            select(func.min(1.0, _weighted(opp) * 1.0 / w.deal_scale))
            .where(
                opp.id == activity.opportunity_id,
                live_rows(opp),
                opp.stage.in_(_OPEN),
                _weighted(opp) > 0,
            )
            .scalar_subquery(),
            0.0,
        )
        grade = func.coalesce(
            select(_grade_value(customer.grade))
            .where(customer.id == activity.customer_id)
            .scalar_subquery(),
            0.0,
        )
        score = w.due * due + w.overdue * overdue + w.deal * deal + w.grade * grade
        return case((activity.done_at.is_not(None), 0.0), else_=score)
    if name == "customer":
        last = func.coalesce(
            select(func.max(activity.done_at))
            .where(
                activity.customer_id == customer.id,
                live_rows(activity),
                activity.done_at.is_not(None),
            )
            .scalar_subquery(),
            customer.created_at,
        )
        since = func.min(1.0, func.max(0.0, _days_since(now, last)) / w.contact_days)
        pipeline = func.coalesce(
            select(func.sum(_weighted(opp)))
            .where(opp.customer_id == customer.id, live_rows(opp), opp.stage.in_(_OPEN))
            .scalar_subquery(),
            0,
        )
        oldest = (
            select(func.min(opp.stage_changed_at))
            .where(opp.customer_id == customer.id, live_rows(opp), opp.stage.in_(_OPEN))
            .scalar_subquery()
        )
        stuck = case(
            (oldest.is_(None), 0.0),
            else_=func.min(1.0, func.max(0.0, _days_since(now, oldest)) / w.stage_days),
        )
        return (
            w.since_contact * since
            + w.customer_grade * _grade_value(customer.grade)
            + w.pipeline * func.min(1.0, pipeline * 1.0 / w.deal_scale)
            + w.stage_age * stuck
        )
    raise ValueError(
        f"{entity_spec(entity_name).plural} have no urgency (follow-ups and customers do)"
    )


def urgency_order(entity_name: str, db: Any) -> list[Any]:
    """ORDER BY for 'most urgent first' (ties by id, so paging is stable)."""
    model = MODELS[entity_spec(entity_name).name]
    return [urgency_expression(entity_name, db).desc(), model.id]


def explain(db: Any, entity_name: str, row_id: str) -> list[Term]:
    """The terms of one record's urgency, read the same way the SQL expression reads them."""
    name = entity_spec(entity_name).name
    w = load_weights(db)
    now = db.clock.now()
    repos = db.repos
    if name == "activity":
        rec = repos.activities.require(row_id)
        weighted = None
        if rec.opportunity_id:
            deal = repos.opportunities.get(rec.opportunity_id)
            if deal is not None and deal.stage in _OPEN:
                weighted = rules.weighted_amount(deal.amount, deal.probability)
        customer = repos.customers.get(rec.customer_id, include_deleted=True)
        return followup_terms(
            now=now,
            due_at=rec.due_at,
            done_at=rec.done_at,
            deal_weighted=weighted,
            grade=customer.grade if customer else None,
            weights=w,
        )
    if name == "customer":
        rec = repos.customers.require(row_id)
        opp, activity = MODELS["opportunity"], MODELS["activity"]
        with db.reading() as s:
            last = s.execute(
                select(func.max(activity.done_at)).where(
                    activity.customer_id == rec.id,
                    live_rows(activity),
                    activity.done_at.is_not(None),
                )
            ).scalar()
            deals = list(
                s.execute(
                    select(opp).where(
                        opp.customer_id == rec.id, live_rows(opp), opp.stage.in_(_OPEN)
                    )
                ).scalars()
            )
        pipeline = sum(rules.weighted_amount(d.amount, d.probability) for d in deals)
        changes = [d.stage_changed_at for d in deals if d.stage_changed_at is not None]
        last_contact = _aware(last) if last is not None else rec.created_at
        return customer_terms(
            now=now,
            last_contact=last_contact,
            grade=rec.grade,
            pipeline=pipeline,
            oldest_stage_change=min(changes, default=None),
            weights=w,
        )
    raise ValueError(
        f"{entity_spec(entity_name).plural} have no urgency (follow-ups and customers do)"
    )


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
