"""RFM groups, churn reasons and lifetime value on hand-made histories (domain only)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from crm_tui.domain import churn
from crm_tui.domain.churn import History, LostDeal
from crm_tui.domain.insight import (
    SEGMENTS,
    Order,
    book_cuts,
    expected_lifespan_years,
    lifetime_value,
    quintile,
    quintile_cuts,
    score,
    segment_named,
    segment_of,
    usual_interval,
)

TODAY = date(2026, 11, 23)


def monthly(until: date, count: int, amount: int = 10_000_00) -> list[Order]:
    return [Order(until - timedelta(days=30 * i), amount) for i in range(count)]


def test_monthly_buyer_who_stopped_three_months_ago_is_high_risk() -> None:
    orders = monthly(TODAY - timedelta(days=91), 12)
    history = History(
        orders=orders,
        interval=usual_interval([o.day for o in orders]),
        last_contact=TODAY - timedelta(days=80),
        grade="A",
    )
    terms = churn.terms(history, TODAY)
    names = [t.name for t in terms]
    assert names[0] == "order_overdue"
    assert "no order for 91 days; usual interval is 30 days" in terms[0].detail
    assert churn.risk(terms) >= 0.8  # the order term in full, plus the contact gap


def test_yearly_buyer_who_bought_three_months_ago_is_not_at_risk() -> None:
    orders = [Order(TODAY - timedelta(days=91 + 365 * i), 50_000_00) for i in range(4)]
    history = History(
        orders=orders,
        interval=usual_interval([o.day for o in orders]),
        last_contact=TODAY - timedelta(days=20),
        grade="B",
    )
    assert churn.terms(history, TODAY) == []
    assert churn.risk([]) == 0.0


def test_risk_reasons_name_the_competitor_low_score_and_complaints() -> None:
    history = History(
        orders=[Order(TODAY - timedelta(days=10), 100)],
        lost=[
            LostDeal(TODAY - timedelta(days=40), "华为", "price"),
            LostDeal(TODAY - timedelta(days=400), "Old rival"),  # over a year ago: not counted
        ],
        scores=[5, 2],
        open_complaints=1,
        recent_repairs=3,
        last_contact=TODAY,
    )
    terms = {t.name: t for t in churn.terms(history, TODAY)}
    assert terms["lost_deals"].detail == "lost 1 deal in the last year to 华为 (price)"
    assert terms["satisfaction"].detail == "latest satisfaction 2/5"
    assert terms["service"].detail == "1 open complaint; 3 repairs in 90 days"
    # The combination is 1 - product(1 - value * weight), computed plainly.
    keep = 1.0
    for t in terms.values():
        keep *= 1 - t.value * t.weight
    assert churn.risk(list(terms.values())) == round(1 - keep, 3)


def test_falling_order_value_and_satisfaction_drop_are_reasons() -> None:
    days = [TODAY - timedelta(days=d) for d in (90, 60, 30, 0)]
    orders = [Order(d, a) for d, a in zip(days, (1000, 1000, 1000, 400), strict=True)]
    history = History(orders=orders, interval=30.0, scores=[5, 3], last_contact=TODAY)
    terms = {t.name: t for t in churn.terms(history, TODAY)}
    assert terms["falling_value"].detail == "last order 60% below their average"
    assert terms["falling_value"].value == 1.0
    assert terms["satisfaction"].detail == "satisfaction fell from 5 to 3/5"
    assert churn.trend([5, 3]) == "↓" and churn.trend([3]) == ""


def test_one_order_customer_is_measured_against_the_books_interval() -> None:
    history = History(orders=[Order(TODAY - timedelta(days=200), 100)], book_interval=60.0)
    (term,) = [t for t in churn.terms(history, TODAY) if t.name == "order_overdue"]
    assert "the book's usual interval is 60 days" in term.detail
    assert term.value == 1.0  # 200 days > 3 x 60


def test_quintiles_equal_a_plain_rank_computation() -> None:
    rng = random.Random(7)
    values = [rng.randint(1, 40) for _ in range(137)]
    cuts = quintile_cuts(values)
    ordered = sorted(values)
    for v in values:
        # plainly: one plus the number of fifths whose last value is below v
        fifth_ends = [ordered[-(-k * len(ordered) // 5) - 1] for k in (1, 2, 3, 4)]
        below = sum(1 for end in fifth_ends if end < v)
        equal = sum(1 for end in fifth_ends if end == v)
        assert quintile(v, cuts) == 1 + below + equal // 2
    counts = [sum(1 for v in values if quintile(v, cuts) == q) for q in range(1, 6)]
    assert sum(counts) == 137
    assert quintile(5, ()) == 3
    # Most customers ordered once: one order is low (2), two orders high (4).
    assert [quintile(f, quintile_cuts([1] * 6 + [2] * 2 + [5] * 2)) for f in (1, 2, 5)] == [2, 4, 5]
    assert quintile(7, quintile_cuts([7])) == 3  # a book of one buyer: the middle


def test_the_eight_groups_from_high_and_low_scores() -> None:
    assert segment_of(5, 5, 5).chinese == "重要价值"
    assert segment_of(5, 1, 4).chinese == "重要发展"
    assert segment_of(1, 4, 5).chinese == "重要保持"
    assert segment_of(2, 2, 5).chinese == "重要挽留"
    assert segment_of(4, 4, 1).chinese == "一般价值"
    assert segment_of(4, 3, 3).chinese == "一般发展"
    assert segment_of(3, 5, 1).chinese == "一般保持"
    assert segment_of(1, 1, 1).chinese == "一般挽留"
    assert len({s.key for s in SEGMENTS}) == 8
    assert segment_named("重要价值").key == "important-value"
    assert segment_named("重要挽留客户").key == "important-retain"
    assert segment_named("important-v").key == "important-value"
    assert segment_named("important") is None  # four groups start so
    assert segment_named("nonsense") is None


def test_scores_place_a_recent_frequent_big_buyer_in_important_value() -> None:
    book = [
        (TODAY - timedelta(days=d), f, m)
        for d, f, m in [
            (300, 1, 100),
            (200, 1, 200),
            (100, 2, 300),
            (50, 3, 400),
            (10, 8, 900),
            (400, 1, 50),
            (30, 1, 1000),
            (250, 5, 700),
            (20, 2, 60),
            (120, 1, 80),
        ]
    ]
    cuts = book_cuts(book)
    best = score(TODAY - timedelta(days=10), 8, 900, cuts)
    assert (best.r, best.f, best.m) == (5, 5, 5)
    assert best.segment.key == "important-value"
    faded = score(TODAY - timedelta(days=250), 5, 700, cuts)
    assert faded.segment.key == "important-keep"
    one_off = score(TODAY - timedelta(days=400), 1, 50, cuts)
    assert one_off.segment.key == "general-retain"


def test_lifetime_value_is_order_value_times_frequency_times_lifespan() -> None:
    orders = monthly(TODAY, 24, 1_000_00)  # two years, monthly, 1,000.00 each
    years = (TODAY - min(o.day for o in orders)).days / 365
    lifespan = expected_lifespan_years([[o.day for o in orders]])
    assert 1.9 < lifespan < 2.1  # 690 days of history plus one 30-day interval
    plain = 1_000_00 * (24 / years) * lifespan
    assert lifetime_value(orders, TODAY, lifespan) == round(plain)
    assert expected_lifespan_years([[TODAY]]) == 1.0  # one order: no span, the floor
    assert lifetime_value([], TODAY, 3.0) == 0
