"""Pure rules of quote to cash: exact money, steps, plans that add up, allocation, aging."""

from __future__ import annotations

from datetime import date

import pytest

from crm_tui.domain import sales_docs as r


def test_line_and_quote_totals_are_exact_minor_units() -> None:
    # 3 x 333.33 at 10% off = 899.991 -> 899.99; tax 13% on the subtotal, rounded once.
    assert r.line_net(3, 33_333, 1_000) == 89_999
    t = r.quote_totals([(3, 33_333, 1_000), (1, 1, 0)], 1_300)
    assert (t.subtotal, t.tax, t.total) == (90_000, 11_700, 101_700)
    assert t.discount == 3 * 33_333 + 1 - 90_000
    assert r.quote_totals([], 1_300) == r.Totals(0, 0, 0, 0)
    # Half a cent rounds up, never through a float.
    assert r.line_net(1, 5, 1_000) == 5  # 4.5 -> 5
    assert (
        r.parse_rate("6.5%") == 650 and r.parse_rate("13") == 1_300 and r.rate_text(650) == "6.5%"
    )
    with pytest.raises(r.DocError, match="between 0 and 100"):
        r.parse_rate("120")
    with pytest.raises(r.DocError, match="not a percentage"):
        r.parse_rate("lots")


def test_quote_steps_and_revisions() -> None:
    r.check_quote_step("draft", "sent", latest=True)
    r.check_quote_step("sent", "accepted", latest=True)
    with pytest.raises(r.DocError, match="a draft quote cannot become accepted"):
        r.check_quote_step("draft", "accepted", latest=True)
    with pytest.raises(r.DocError, match="read-only"):
        r.check_quote_step("sent", "accepted", latest=False)
    assert r.can_revise("sent", latest=True) is None
    assert "final" in (r.can_revise("accepted", latest=True) or "")
    assert not r.quote_is_editable("sent", latest=True)


def test_instalments_must_add_up_to_the_contract_with_a_clear_error() -> None:
    assert r.split_amount(1_000_00, 3) == [33_333, 33_333, 33_334]
    assert sum(r.split_amount(1_000_01, 7)) == 1_000_01
    r.check_plan(100_000, [30_000, 70_000])
    with pytest.raises(r.DocError) as short:
        r.check_plan(100_000, [30_000, 60_000])
    assert str(short.value) == (
        "instalments add up to ¥900.00, ¥100.00 short of the contract's ¥1,000.00"
    )
    with pytest.raises(r.DocError, match="over the contract"):
        r.check_plan(100_000, [30_000, 80_000])
    assert r.due_dates(date(2027, 1, 31), 3, "1m") == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]
    assert r.due_dates(date(2027, 1, 1), 2, "2w")[1] == date(2027, 1, 15)
    with pytest.raises(r.DocError, match="not an interval"):
        r.due_dates(date(2027, 1, 1), 2, "monthly")


def test_partial_and_over_payments_spread_over_instalments() -> None:
    plan = [
        r.Instalment("a", date(2027, 1, 15), 30_000),
        r.Instalment("b", date(2027, 2, 15), 30_000),
        r.Instalment("c", date(2027, 3, 15), 40_000),
    ]
    partial = r.allocate(plan, [r.Receipt("p1", 10_000, "a")])
    assert partial.paid == {"a": 10_000, "b": 0, "c": 0} and partial.credit == 0
    # 50,000 against b: fills b, the overflow goes to the earliest open one (a), then c.
    over = r.allocate(plan, [r.Receipt("p1", 10_000, "a"), r.Receipt("p2", 50_000, "b")])
    assert over.paid == {"a": 30_000, "b": 30_000, "c": 0}
    everything = r.allocate(plan, [r.Receipt("p", 120_000)])
    assert everything.paid == {"a": 30_000, "b": 30_000, "c": 40_000}
    assert everything.credit == 20_000
    today = date(2027, 2, 20)
    assert r.instalment_state(30_000, 10_000, date(2027, 1, 15), today) == "partly paid, overdue"
    assert r.instalment_state(30_000, 30_000, date(2027, 1, 15), today) == "paid"
    assert r.instalment_state(30_000, 0, date(2027, 3, 15), today) == "open"


def test_aging_buckets_and_dso() -> None:
    today = date(2027, 6, 30)
    assert r.aging_bucket(date(2027, 6, 30), today) is None  # due today: not yet overdue
    assert r.aging_bucket(date(2027, 6, 29), today) == "0-30"
    assert r.aging_bucket(date(2027, 5, 31), today) == "0-30"  # 30 days
    assert r.aging_bucket(date(2027, 5, 30), today) == "31-60"
    assert r.aging_bucket(date(2027, 4, 1), today) == "61-90"  # 90 days
    assert r.aging_bucket(date(2027, 3, 31), today) == "90+"
    assert r.dso(50_000, 300_000, 90) == 15.0
    assert r.dso(1, 0, 90) is None
    assert r.provisional_number(2026, "0193abcd-1234-7abc-8def-0123456789ab") == "HT-2026-P-6789AB"
    assert r.is_provisional("HT-2026-P-6789AB") and not r.is_provisional("HT-2026-0042")
