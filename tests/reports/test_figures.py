"""Every report figure on the hand-worked book of conftest.py (period 2026-11, zone UTC)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.reports.build import ReportSource, build_report
from crm_tui.reports.model import Days, Delta, Money, Pct, Report
from crm_tui.reports.period import Period

from .book import NOW

NOV = Period.month(2026, 11)


def yuan(n: float) -> Money:
    return Money(round(n * 100))


def report(path: Path, name: str, *, team: bool = False, period: Period = NOV) -> Report:
    conn = sqlite3.connect(path)
    try:
        src = ReportSource.open(
            conn,
            period=period,
            clock=Clock(fixed=NOW, zone=UTC),
            currency="CNY",
            owner_id=None,
            team=team,
        )
        return build_report(name, src)
    finally:
        conn.close()


def rows(rep: Report, key: str) -> list[list]:
    return rep.section(key).rows


def by_label(rep: Report, key: str) -> dict:
    return {row[0]: row[1:] for row in rows(rep, key)}


def approx_pct(value: float | None) -> Pct:
    return Pct(pytest.approx(value) if value is not None else None)


def test_work_summary_against_previous_month(book_path: Path) -> None:
    fig = by_label(report(book_path, "summary"), "summary")
    assert fig["Follow-ups done"] == [4, 1, Delta(3), Pct(300.0, signed=True)]
    assert fig["  call"] == [1, 1, Delta(0), Pct(0.0, signed=True)]
    assert fig["  visit"] == [3, 0, Delta(3), Pct(None, signed=True)]
    assert fig["  task"] == [0, 0, Delta(0), Pct(None, signed=True)]
    assert fig["Customers visited"][:2] == [2, 0]
    assert fig["New customers"] == [2, 1, Delta(1), Pct(100.0, signed=True)]
    assert fig["Deals won"] == [2, 1, Delta(1), Pct(100.0, signed=True)]
    assert fig["Amount won"] == [
        yuan(130_000),
        yuan(20_000),
        Money(yuan(110_000).minor, signed=True),
        Pct(550.0, signed=True),
    ]
    assert fig["Deals lost"][:2] == [3, 0]
    assert fig["Amount lost"][:2] == [yuan(15_000), yuan(0)]
    assert fig["Claims"][:2] == [3, 1]
    assert fig["Amount claimed"][:2] == [yuan(1_000), yuan(400)]
    kinds = by_label(report(book_path, "summary"), "by_kind")
    assert kinds == {
        "call": [1],
        "visit": [3],
        "meeting": [0],
        "email": [0],
        "sms": [0],
        "task": [0],
    }


def test_team_summary_adds_the_other_reps_book(book_path: Path) -> None:
    fig = by_label(report(book_path, "summary", team=True), "summary")
    assert fig["Follow-ups done"][0] == 5
    assert fig["New customers"][0] == 3
    assert fig["Deals won"][0] == 3
    assert fig["Amount won"][0] == yuan(200_000)
    assert fig["Amount claimed"][0] == yuan(1_999)


def test_customer_counts_by_status_city_industry(book_path: Path) -> None:
    rep = report(book_path, "customers")
    assert by_label(rep, "by_status") == {
        "potential": [1, Pct(25.0)],
        "contacted": [1, Pct(25.0)],
        "closed": [1, Pct(25.0)],
        "lost": [1, Pct(25.0)],
    }
    assert by_label(rep, "by_city") == {
        "北京": [2, Pct(50.0)],
        "(not set)": [1, Pct(25.0)],
        "上海": [1, Pct(25.0)],
    }
    assert by_label(rep, "by_industry") == {
        "steel": [2, Pct(50.0)],
        "(not set)": [1, Pct(25.0)],
        "software": [1, Pct(25.0)],
    }
    months = by_label(rep, "new_per_month")
    assert list(months)[0] == "2025-12" and list(months)[-1] == "2026-11"
    assert {m: v[0] for m, v in months.items() if v[0]} == {
        "2026-06": 1,
        "2026-10": 1,
        "2026-11": 2,
    }


def test_abc_grading_suggests_beside_manual_grade(book_path: Path) -> None:
    rep = report(book_path, "customers")
    # Won: Acme 120,000 (80% of 150,000) -> A; Globex 30,000 -> B; Initech and Hooli -> C.
    assert by_label(rep, "grades") == {
        "A": [1, yuan(120_000), Pct(80.0), 2],
        "B": [1, yuan(30_000), Pct(20.0), 1],
        "C": [2, yuan(0), Pct(0.0), 1],
    }
    assert "Graded otherwise by hand: 1." in rep.section("grades").note  # Initech: A
    assert rows(rep, "top_won") == [
        ["Acme", yuan(120_000), "A", "A"],
        ["Globex", yuan(30_000), "B", "B"],
    ]


def test_cold_customers_skip_lost_ones_and_can_be_opened(book: Path) -> None:
    rep = report(book, "customers")
    cold = rep.section("cold")
    # Initech's last done follow-up was 2026-09-15 (69 days); Hooli is lost.
    assert cold.rows == [["Initech", "北京", "potential", "2026-09-15", 69]]
    assert cold.row_ids is not None and len(cold.row_ids) == 1
    assert cold.note.startswith("Going cold: 1;")


def test_opportunity_funnel_forecast_win_rate_cycle_and_reasons(book_path: Path) -> None:
    rep = report(book_path, "opportunities")
    assert by_label(rep, "funnel") == {
        "lead": [1, yuan(10_000), yuan(1_000)],
        "qualified": [1, yuan(1_000), yuan(250)],
        "proposal": [1, yuan(50_000), yuan(25_000)],
        "negotiation": [1, yuan(40_000), yuan(30_000)],
        "won": [2, yuan(130_000), yuan(130_000)],
        "lost": [3, yuan(15_000), yuan(0)],
    }
    fig = by_label(rep, "figures")
    assert fig["Win rate"] == [Pct(40.0)]
    assert fig["Average sales cycle (days)"] == [Days(25.0)]  # (40 + 10) / 2
    assert fig["Open pipeline"] == [yuan(101_000)]
    assert fig["Weighted pipeline"] == [yuan(56_250)]
    forecast = {k: v for k, v in by_label(rep, "forecast").items() if v[0]}
    assert forecast == {
        "earlier": [1, yuan(40_000), yuan(30_000)],
        "2026-11": [1, yuan(10_000), yuan(1_000)],
        "2026-12": [1, yuan(50_000), yuan(25_000)],
        "no date": [1, yuan(1_000), yuan(250)],
    }
    reasons = rows(rep, "lost_reasons")
    assert [r[:3] for r in reasons] == [["price", 2, yuan(13_000)], ["competitor", 1, yuan(2_000)]]
    assert reasons[0][3].value == pytest.approx(200 / 3)


def test_expenses_by_category_status_customer_deal_and_ratio(book_path: Path) -> None:
    rep = report(book_path, "expenses")
    assert by_label(rep, "by_category") == {
        "travel": [2, yuan(800), Pct(80.0)],
        "meals": [1, yuan(200), Pct(20.0)],
    }
    assert by_label(rep, "by_status") == {
        "draft": [1, yuan(1000)],
        "approved": [1, yuan(500)],
        "submitted": [2, yuan(500)],
        "rejected": [1, yuan(100)],
    }
    assert rows(rep, "per_customer") == [["Acme", 2, yuan(700)], ["Globex", 1, yuan(300)]]
    assert rows(rep, "per_opportunity") == [
        ["Pipes", 1, yuan(500)],
        ["CRM seats", 1, yuan(300)],
        ["(not set)", 1, yuan(200)],
    ]
    months = {m: v[0] for m, v in by_label(rep, "by_month").items() if v[0].minor}
    assert months == {"2026-10": yuan(400), "2026-11": yuan(1000)}
    ratio = by_label(rep, "ratio")
    assert ratio["Amount claimed"] == [yuan(1000)]
    assert ratio["Amount won"] == [yuan(130_000)]
    assert ratio["Expenses / won"][0].value == pytest.approx(100 * 1000 / 130_000)


def test_quarter_covers_both_months(book_path: Path) -> None:
    fig = by_label(report(book_path, "summary", period=Period.quarter(2026, 4)), "summary")
    assert fig["Follow-ups done"][0] == 5  # October's call too
    assert fig["Deals won"][0] == 3
    assert fig["Amount claimed"][0] == yuan(1_400)


def test_team_customers_and_expenses_include_the_other_rep(book_path: Path) -> None:
    customers = report(book_path, "customers", team=True)
    assert by_label(customers, "by_status")["contacted"][0] == 2  # Globex and Stark
    grades = by_label(customers, "grades")  # won: Acme 120k, Stark 70k, Globex 30k (220k)
    assert grades["A"][:2] == [2, yuan(190_000)]  # Acme (0% above), Stark (54.5% above)
    assert grades["B"][:2] == [1, yuan(30_000)]  # Globex: 86.4% above
    expenses = report(book_path, "expenses", team=True)
    assert by_label(expenses, "by_category")["travel"][:2] == [3, yuan(1_799)]
    mine = report(book_path, "expenses")
    assert "Stark" not in {row[0] for row in rows(mine, "per_customer")}


def test_the_current_month_is_compared_with_the_same_days_of_last_month(book_path: Path) -> None:
    """On 5 November: 1-5 Nov against 1-5 Oct, as the desk does, not against all October
    (October's call on the 10th, deal won on the 20th and claim of the 10th are not counted)."""
    conn = sqlite3.connect(book_path)
    try:
        clock = Clock(fixed=datetime(2026, 11, 5, 9, 0, tzinfo=UTC), zone=UTC)
        src = ReportSource.open(
            conn, period=NOV, clock=clock, currency="CNY", owner_id=None, team=False
        )
        rep = build_report("summary", src)
    finally:
        conn.close()
    assert rep.section("summary").title == (
        "2026-11 to 11-05 against the same days of 2026-10 (to 10-05)"
    )
    fig = by_label(rep, "summary")
    assert fig["Follow-ups done"][1] == 0
    assert fig["Deals won"][1] == 0
    assert fig["Claims"][1] == 0
    assert fig["New customers"][1] == 1  # Acme, 5 October


def test_a_past_month_is_still_compared_with_the_whole_month_before(book_path: Path) -> None:
    rep = report(book_path, "summary", period=Period.month(2026, 10))
    assert rep.section("summary").title == "2026-10 against 2026-09"
