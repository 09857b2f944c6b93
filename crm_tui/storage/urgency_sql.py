"""Provides urgency in SQL: the score as a SQL expression, and `explain` for one record.

`score_expression` is the one SQL form of the weighted sum in crm_tui/domain/urgency.py,
computed per row with correlated subqueries on indexed columns. The stored `urgency` column
is filled and kept right with it (crm_tui/storage/urgency_store.py); `stored_order` sorts by
that column, `computed_order` by the expression, and `explain` reads one record's terms.
The weights come from the `urgency.weights` setting (JSON; see `Weights`).
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
    WEIGHTS_KEY,
    Term,
    Weights,
    as_of,
    as_of_text,
    customer_terms,
    followup_terms,
    weights_from_setting,
)
from crm_tui.storage.filter_sql import live_rows

URGENCY_ENTITIES = ("activity", "customer")
_OPEN = [s.value for s in rules.OPEN_STAGES]
_CLOSED = [s.value for s in rules.Stage if s not in rules.OPEN_STAGES]


def load_weights(db: Any) -> Weights:
    """The rep's weights (setting `urgency.weights`), or the defaults."""
    return weights_from_setting(db.state(WEIGHTS_KEY))


def _grade_value(col: Any) -> Any:
    return case(*((col == g, v) for g, v in GRADE_VALUE.items()), else_=0.0)


def _weighted(opp: Any) -> Any:
    return (opp.amount * opp.probability + 50) // 100


def urgency_entity(entity_name: str) -> str:
    """The registry name of a record type that has urgency; ValueError for the others."""
    return _entity(entity_name)


def stored_order(entity_name: str) -> list[Any]:
    """ORDER BY the stored score, most urgent first, ties newest first (stable paging)."""
    model = MODELS[_entity(entity_name)]
    return [model.urgency.desc(), model.id.desc()]


def computed_order(entity_name: str, db: Any) -> list[Any]:
    """ORDER BY the score computed now (when the stored one cannot be brought up to date)."""
    name = _entity(entity_name)
    return [urgency_expression(name, db).desc(), MODELS[name].id.desc()]


def _entity(entity_name: str) -> str:
    name = entity_spec(entity_name).name
    if name not in URGENCY_ENTITIES:
        raise ValueError(
            f"{entity_spec(entity_name).plural} have no urgency (follow-ups and customers do)"
        )
    return name


def urgency_expression(entity_name: str, db: Any, weights: Weights | None = None) -> Any:
    """The urgency score of each row as of today (follow-ups and customers)."""
    name = _entity(entity_name)
    return score_expression(name, weights or load_weights(db), as_of_text(as_of(db.clock)))


def score_expression(name: str, w: Weights, day_start: str) -> Any:
    """The score of each `name` row ("activity" or "customer") counted from `day_start` (naive
    UTC text), as a SQL expression over the row's columns (a trigger's too).

    Shaped for speed over a million rows: the day is a number, not a date to parse per row;
    each stored date is parsed once; deals are looked up by customer, not by stage.
    """
    day = literal(_julian(day_start))
    opp, customer, activity = MODELS["opportunity"], MODELS["customer"], MODELS["activity"]
    open_deal = [live_rows(opp), opp.stage.not_in(_CLOSED)]
    if name == "activity":
        days = func.julianday(activity.due_at) - day
        span = DUE_FLOOR_DAYS - DUE_FULL_DAYS
        # due_value(): linear between the two ends, clamped; no date means 0 (NULL here).
        line = 1.0 - (days - DUE_FULL_DAYS) * (1.0 - DUE_FLOOR) / span
        due = func.coalesce(func.max(DUE_FLOOR, func.min(1.0, line)), 0.0)
        overdue = case((activity.due_at < literal(day_start), 1.0), else_=0.0)
        share = _weighted(opp) * 1.0 / w.deal_scale if w.deal_scale else literal(1.0)
        deal = func.coalesce(
            select(func.min(1.0, share))
            .where(opp.id == activity.opportunity_id, *open_deal, _weighted(opp) > 0)
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
        since = _ramp(day - func.julianday(last), w.contact_days)
        pipeline = func.coalesce(
            select(func.sum(_weighted(opp)))
            .where(opp.customer_id == customer.id, *open_deal)
            .scalar_subquery(),
            0,
        )
        if w.deal_scale:
            share = func.min(1.0, pipeline * 1.0 / w.deal_scale)
        else:
            share = case((pipeline > 0, 1.0), else_=0.0)
        oldest = (
            select(func.min(opp.stage_changed_at))
            .where(opp.customer_id == customer.id, *open_deal)
            .scalar_subquery()
        )
        # No open deal: julianday(NULL) makes the ramp NULL, which counts 0.
        stuck = func.coalesce(_ramp(day - func.julianday(oldest), w.stage_days), 0.0)
        return (
            w.since_contact * since
            + w.customer_grade * _grade_value(customer.grade)
            + w.pipeline * share
            + w.stage_age * stuck
        )
    raise ValueError(f"{name} has no urgency (activity and customer do)")


def _ramp(days: Any, full_days: float) -> Any:
    """0 at 0 days (or fewer), 1 at `full_days` or more; 0 when `full_days` is 0."""
    if not full_days:
        return literal(0.0)
    return func.min(1.0, func.max(0.0, days) / full_days)


def _julian(day_start: str) -> float:
    # The Julian day number SQLite's julianday() gives for this text (it counts whole ms).
    moment = datetime.fromisoformat(day_start).replace(tzinfo=UTC)
    return (round(moment.timestamp() * 1000) + 210_866_760_000_000) / 86_400_000


def explain(db: Any, entity_name: str, row_id: str) -> list[Term]:
    """The terms of one record's urgency, read the same way the SQL expression reads them."""
    name = _entity(entity_name)
    w = load_weights(db)
    now = as_of(db.clock)
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
    else:
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
    raise AssertionError(name)


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
