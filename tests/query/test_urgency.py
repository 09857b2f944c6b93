"""Urgency: the SQL ordering computes the same score `explain` shows, and weights are settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_tui.domain.models import MODELS
from crm_tui.domain.urgency import Weights, due_value, total
from crm_tui.services.urgency import WEIGHTS_KEY, order_by, why
from crm_tui.storage.urgency_sql import urgency_expression


@pytest.fixture
def book(db):
    r = db.repos
    a = r.customers.create({"name": "Acme", "grade": "A"})
    b = r.customers.create({"name": "Beta", "grade": "C"})
    r.customers.create({"name": "Idle"})
    deal = r.opportunities.create(
        {"customer_id": a.id, "title": "big", "amount": "200k", "stage": "negotiation"}
    )
    r.opportunities.create({"customer_id": b.id, "title": "small", "amount": "10k"})
    r.activities.create(
        {"customer_id": a.id, "subject": "overdue call", "due_at": "-3d", "opportunity_id": deal.id}
    )
    r.activities.create({"customer_id": b.id, "subject": "next month", "due_at": "+30d"})
    r.activities.create({"customer_id": b.id, "subject": "tomorrow", "due_at": "tomorrow"})
    done = r.activities.create({"customer_id": b.id, "subject": "done", "due_at": "-1d"})
    r.activities.done(done.id)
    r.activities.create({"customer_id": b.id, "subject": "no date"})
    db.clock.advance(timedelta(days=20))
    return db


def sql_scores(db, entity_name):
    model = MODELS[entity_name]
    title = "subject" if entity_name == "activity" else "name"
    with db.reading() as s:
        rows = s.exec(
            select(model.id, getattr(model, title), urgency_expression(entity_name, db))
        ).all()
    return {title_: (row_id, score) for row_id, title_, score in rows}


@pytest.mark.parametrize("entity_name", ["activity", "customer"])
def test_sql_score_equals_explained_terms(book, entity_name):
    for row_id, score in sql_scores(book, entity_name).values():
        assert score == pytest.approx(total(why(book, entity_name, row_id)), abs=2e-3)


def test_followups_sort_most_urgent_first(book):
    rows = book.repos.activities.page(order_by=order_by(book, "followups"))
    assert [r.subject for r in rows][:3] == ["overdue call", "tomorrow", "next month"]
    assert rows[-1].subject in ("done", "no date")


def test_customers_sort_by_grade_pipeline_and_silence(book):
    rows = book.repos.customers.page(order_by=order_by(book, "customers"))
    assert [r.name for r in rows] == ["Acme", "Beta", "Idle"]


def test_explain_names_each_term(book):
    row_id, _ = sql_scores(book, "activity")["overdue call"]
    terms = {t.name: t for t in why(book, "followups", row_id)}
    assert set(terms) == {"due", "overdue", "deal", "grade"}
    assert terms["due"].value == 1.0 and "overdue" in terms["due"].detail
    assert terms["deal"].value == 1.0  # 200k at 75% is over the 100k scale


def test_done_follow_up_is_not_urgent(book):
    row_id, score = sql_scores(book, "activity")["done"]
    assert score == 0 and why(book, "activity", row_id) == []


def test_weights_come_from_settings(book):
    book.set_state(WEIGHTS_KEY, '{"grade": 100, "due": 0, "overdue": 0, "deal": 0}')
    rows = book.repos.activities.page(order_by=order_by(book, "followups"))
    assert rows[0].subject == "overdue call"  # grade A beats grade C
    row_id, score = sql_scores(book, "activity")["tomorrow"]
    assert score == pytest.approx(20.0)


def test_bad_weights_are_refused():
    with pytest.raises(ValueError):
        Weights.from_json('{"due": -1}')
    assert Weights.from_json('{"unknown": 3}') == Weights()


def test_due_value_curve():
    assert due_value(-10) == 1.0 and due_value(30) == 0.2
    assert due_value(0) == pytest.approx(1 - 7 * 0.8 / 21)


def test_other_records_have_no_urgency(book):
    with pytest.raises(ValueError, match="no urgency"):
        urgency_expression("deals", book)
