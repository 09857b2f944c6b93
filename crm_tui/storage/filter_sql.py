"""Provides the SQL of a `Filter` (crm_tui/domain/filter.py): one WHERE clause per term.

A list page ANDs the clauses. Free text goes through the full-text index for customers and
contacts (customers also match through their contacts); other records match words in their
text fields or their customer's index entry. The top-level free text (`Filter.text`) of a
customers list is answered from the full-text hits instead (storage/listing.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, literal_column, not_, or_, select
from sqlalchemy import true as sa_true

from crm_tui.domain import rules
from crm_tui.domain.fields import ENTITIES
from crm_tui.domain.filter import (
    AllOf,
    AnyOf,
    Clause,
    Compare,
    Filter,
    FreeText,
    Has,
    HasTag,
    IsEmpty,
    Not,
    OneOf,
    OwnerIs,
    Range,
    RefMatch,
    Related,
)
from crm_tui.domain.models import MODELS
from crm_tui.storage.search import customer_fts_ids, fts_ids

_TEXT_KINDS = ("text", "longtext", "email", "phone", "url")


def live_rows(model: Any) -> ColumnElement[bool]:
    # `deleted = 0` with a literal, not `IS 0` or a bound value: only then can SQLite use
    # the partial indexes (WHERE deleted = 0) that keep sorted lists fast.
    return model.deleted == literal_column("0")


def where(filter_: Filter | None) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter, in its order, free text last; [] for None."""
    if filter_ is None:
        return []
    out = [clause_sql(filter_.entity, c) for c in filter_.terms]
    if filter_.text is not None:
        out.append(clause_sql(filter_.entity, filter_.text))
    return out


def text_clause(filter_: Filter | None) -> tuple[FreeText | None, list[ColumnElement[bool]]]:
    """The filter's first positive top-level free text with an FTS expression and the SQL of
    every other term: what a customers list answers from its full-text hits."""
    if filter_ is None:
        return None, []
    terms = [*filter_.terms, *([filter_.text] if filter_.text is not None else [])]
    for i, term in enumerate(terms):
        if isinstance(term, FreeText) and term.expression is not None:
            rest = [clause_sql(filter_.entity, t) for j, t in enumerate(terms) if j != i]
            return term, rest
    return None, [clause_sql(filter_.entity, t) for t in terms]


def _negate(clause: ColumnElement[bool]) -> ColumnElement[bool]:
    # NULL-safe: a customer with no city is among those "not in 上海".
    return not_(func.coalesce(clause, false()))


def _any_of(clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return clauses[0] if len(clauses) == 1 else or_(*clauses)


def clause_sql(entity_name: str, clause: Clause) -> ColumnElement[bool]:
    """One clause over `entity_name`'s table."""
    model = MODELS[entity_name]
    if isinstance(clause, Compare):
        return _compare(_column(entity_name, clause.field), clause.op, clause.value)
    if isinstance(clause, OneOf):
        return _column(entity_name, clause.field).in_(list(clause.values))
    if isinstance(clause, IsEmpty):
        col = _column(entity_name, clause.field)
        if not clause.empty:
            return col.is_not(None)
        return or_(col.is_(None), col == "") if clause.blank_text else col.is_(None)
    if isinstance(clause, Range):
        col = _column(entity_name, clause.field)
        parts = []
        if clause.start is not None:
            parts.append(col >= clause.start)
        if clause.end is not None:
            parts.append(col < clause.end)
        return and_(*parts) if parts else sa_true()
    if isinstance(clause, HasTag):
        return _has_tag(_column(entity_name, clause.field), clause.tag)
    if isinstance(clause, OwnerIs):
        col = model.owner_id
        return col.is_(None) if clause.user_id is None else col == clause.user_id
    if isinstance(clause, RefMatch):
        target = MODELS[clause.target]
        title = getattr(target, ENTITIES[clause.target].title_field)
        ids = select(target.id).where(
            or_(
                target.id.startswith(clause.text, autoescape=True),
                title.contains(clause.text, autoescape=True),
            ),
            live_rows(target),
        )
        return _column(entity_name, clause.field).in_(ids)
    if isinstance(clause, Related):
        target = MODELS[clause.target]
        inner = clause_sql(clause.target, clause.clause)
        ids = select(target.id).where(inner, live_rows(target))
        return _column(entity_name, clause.field).in_(ids)
    if isinstance(clause, Has):
        return _has(model, clause)
    if isinstance(clause, FreeText):
        return free_text(entity_name, clause)
    if isinstance(clause, AllOf):
        return and_(*(clause_sql(entity_name, c) for c in clause.clauses))
    if isinstance(clause, AnyOf):
        return _any_of([clause_sql(entity_name, c) for c in clause.clauses])
    if isinstance(clause, Not):
        return _negate(clause_sql(entity_name, clause.clause))
    raise TypeError(f"not a filter clause: {clause!r}")


def _compare(col: Any, op: str, value: Any) -> ColumnElement[bool]:
    if op == "=":
        return col == value
    if op == "<":
        return col < value
    if op == "<=":
        return col <= value
    if op == ">":
        return col > value
    if op == ">=":
        return col >= value
    if op == "is":
        return col.is_(value)
    if op == "eq_nocase":
        return col.collate("NOCASE") == value
    if op == "contains":
        return col.contains(value, autoescape=True)
    if op == "startswith":
        return col.startswith(value, autoescape=True)
    raise ValueError(f"unknown operator {op!r}")


def _column(entity_name: str, name: str) -> Any:
    """A column, or a derived value the query language names like one."""
    model = MODELS[entity_name]
    if name == "weighted" and entity_name == "opportunity":
        return (model.amount * model.probability + 50) // 100
    if name == "contacted" and entity_name == "customer":
        activity = MODELS["activity"]
        last = (
            select(func.max(activity.done_at))
            .where(
                activity.customer_id == model.id,
                live_rows(activity),
                activity.done_at.is_not(None),
            )
            .scalar_subquery()
        )
        return func.coalesce(last, model.created_at)
    return getattr(model, name)


def _has_tag(col: Any, tag: str) -> ColumnElement[bool]:
    wrapped = "," + func.coalesce(col, "") + ","
    return wrapped.contains("," + tag + ",", autoescape=True)


# --- free text ---------------------------------------------------------------------------


def customer_text(expression: str) -> ColumnElement[bool]:
    """Customers whose own search document, or a live contact's, matches `expression`
    (the documents' customers from search_doc_owner, migration 0141)."""
    return MODELS["customer"].id.in_(customer_fts_ids(expression))


def free_text(entity_name: str, text: FreeText) -> ColumnElement[bool]:
    expression = text.expression
    if expression is None:
        return sa_true()
    model = MODELS[entity_name]
    if entity_name == "customer":
        return customer_text(expression)
    if entity_name == "contact":
        return model.id.in_(fts_ids("contact", expression))
    spec = ENTITIES[entity_name]
    clauses = []
    for word in text.words.split():
        options = [
            getattr(model, f.name).contains(word, autoescape=True)
            for f in spec.fields
            if f.kind in _TEXT_KINDS
        ]
        clauses.append(_any_of(options) if options else false())
    own = and_(*clauses) if clauses else false()
    if "customer_id" in spec.by_name:
        customer = MODELS["customer"]
        matching = select(customer.id).where(customer_text(expression))
        return or_(own, model.customer_id.in_(matching))
    return own


def _has(customer: Any, clause: Has) -> ColumnElement[bool]:
    activity, opportunity, contact = MODELS["activity"], MODELS["opportunity"], MODELS["contact"]
    now = clause.now
    if clause.kind == "overdue":
        return exists().where(
            activity.customer_id == customer.id,
            live_rows(activity),
            activity.done_at.is_(None),
            activity.due_at < now,
        )
    if clause.kind == "open-deal":
        return exists().where(
            opportunity.customer_id == customer.id,
            live_rows(opportunity),
            opportunity.stage.in_([s.value for s in rules.OPEN_STAGES]),
        )
    if clause.kind == "open-followup":
        return exists().where(
            activity.customer_id == customer.id,
            live_rows(activity),
            activity.done_at.is_(None),
        )
    if clause.kind == "contact":
        return exists().where(contact.customer_id == customer.id, live_rows(contact))
    raise ValueError(f"has:{clause.kind} is not known")


def order_by(entity_name: str, keys: Any) -> list[Any]:
    """ORDER BY for plain sort keys (`SortKey`s, not urgency), id last for a stable order."""
    model = MODELS[entity_name]
    out = []
    for key in keys:
        col = getattr(model, key.field)
        out.append(col.desc() if key.descending else col)
    if not any(k.field == "id" for k in keys):
        out.append(model.id)
    return out
