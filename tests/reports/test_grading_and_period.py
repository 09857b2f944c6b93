"""ABC grading and report periods: pure rules, checked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from crm_tui.domain.grading import abc_grades, grade_counts
from crm_tui.domain.rules import Grade
from crm_tui.reports.period import Period, PeriodError, parse_period

TODAY = date(2026, 11, 23)


def test_grading_covers_top_seventy_then_twenty_percent_of_value() -> None:
    # Total 1000: x=500 (0% above -> A), y=300 (50% above -> A), z=100 (80% -> B),
    # w=60 (90% above -> C), v=40 (C), nobody=0 (C).
    won = [("w", 60), ("x", 500), ("z", 100), ("y", 300), ("v", 40), ("nobody", 0)]
    grades = abc_grades(won)
    assert grades == {
        "x": Grade.A,
        "y": Grade.A,
        "z": Grade.B,
        "w": Grade.C,
        "v": Grade.C,
        "nobody": Grade.C,
    }
    assert grade_counts(grades) == {Grade.A: 2, Grade.B: 1, Grade.C: 3}


def test_grading_biggest_customer_is_always_a_and_ties_are_stable() -> None:
    assert abc_grades([("only", 1)]) == {"only": Grade.A}
    tie = abc_grades([("b", 50), ("a", 50)])
    assert tie == {"a": Grade.A, "b": Grade.A}  # a: 0% above, b: 50% above
    assert abc_grades([]) == {}
    assert abc_grades([("z", 0)]) == {"z": Grade.C}


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("", date(2026, 11, 1), date(2026, 12, 1), "2026-11"),
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "2026-11"),
        ("last-month", date(2026, 10, 1), date(2026, 11, 1), "2026-10"),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), "2026-Q4"),
        ("2026q1", date(2026, 1, 1), date(2026, 4, 1), "2026-Q1"),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "2026"),
        ("last-quarter", date(2026, 7, 1), date(2026, 10, 1), "2026-Q3"),
        ("last-year", date(2025, 1, 1), date(2026, 1, 1), "2025"),
    ],
)
def test_parse_period(text: str, start: date, end: date, label: str) -> None:
    period = parse_period(text, TODAY)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_periods_step_by_their_own_length_across_years() -> None:
    assert Period.month(2026, 1).previous().label == "2025-12"
    assert Period.month(2026, 12).shift(1).label == "2027-01"
    assert Period.quarter(2026, 1).previous().label == "2025-Q4"
    assert Period.year(2026).shift(-2).label == "2024"


@pytest.mark.parametrize("text", ["2026-13", "Q5", "next-week", "26-11"])
def test_bad_period_is_refused_with_examples(text: str) -> None:
    with pytest.raises(PeriodError, match="try 2026-11"):
        parse_period(text, TODAY)
