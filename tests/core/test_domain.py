"""Money, dates, fields and business rules as a rep meets them when typing."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from crm_tui.domain import rules
from crm_tui.domain.dates import Clock, DateError, parse_date, parse_when, relative_date
from crm_tui.domain.fields import InputContext, ValidationErrors, check_record, parse_values
from crm_tui.domain.money import MoneyError, format_money, parse_money

TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345.5", (1234550, "CNY")),
        ("¥12,345.50", (1234550, "CNY")),
        ("1.2万", (1200000, "CNY")),
        ("50k", (5000000, "CNY")),
        ("USD 900", (90000, "USD")),
        ("$45.99", (4599, "USD")),
        ("JPY 1200", (1200, "JPY")),
        ("0", (0, "CNY")),
    ],
)
def test_money_is_parsed_to_minor_units(text: str, expected: tuple[int, str]) -> None:
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["-5", "abc", "", "1.234", "JPY 1.5", "1e400", "NaN"])
def test_bad_money_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_money(text)


def test_money_formats_with_symbol_and_grouping() -> None:
    assert format_money(1234550, "CNY") == "¥12,345.50"
    assert format_money(1200, "JPY") == "¥1,200"
    assert format_money(5, "USD") == "$0.05"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("today", TODAY),
        ("tomorrow", date(2026, 11, 24)),
        ("yesterday", date(2026, 11, 22)),
        ("sow", date(2026, 11, 23)),
        ("eow", date(2026, 11, 29)),
        ("som", date(2026, 11, 1)),
        ("eom", date(2026, 11, 30)),
        ("+3d", date(2026, 11, 26)),
        ("-1w", date(2026, 11, 16)),
        ("+1m", date(2026, 12, 23)),
        ("3d", date(2026, 11, 26)),
        ("fri", date(2026, 11, 27)),
        ("mon", date(2026, 11, 30)),
        ("明天", date(2026, 11, 24)),
    ],
)
def test_relative_dates(word: str, expected: date) -> None:
    assert relative_date(word, TODAY) == expected


def test_month_arithmetic_clamps_to_the_month_end() -> None:
    assert relative_date("+1m", date(2026, 1, 31)) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("12月5日", date(2026, 12, 5)),
        ("2027年1月3号", date(2027, 1, 3)),
        ("Dec 24", date(2026, 12, 24)),
    ],
)
def test_dates_in_common_formats(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "13月40日", "next blursday", ""])
def test_malformed_dates_say_what_to_type(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, TODAY)


def test_a_due_time_is_stored_in_utc_and_a_bare_day_is_all_day() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    clock = Clock(fixed=datetime(2026, 11, 23, 10, tzinfo=zone), zone=zone)
    moment, all_day = parse_when("tomorrow 14:30", clock)
    assert not all_day and moment.tzinfo is not None
    assert clock.to_local(moment).time() == time(14, 30) and moment.hour == 6
    moment, all_day = parse_when("fri", clock)
    assert all_day and clock.to_local(moment).date() == date(2026, 11, 27)


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationErrors) as caught:
        parse_values(
            "customer",
            {"name": "", "email": "nope", "phone": "call me", "grade": "Z", "birthday": "someday"},
            InputContext(),
        )
    assert set(caught.value.by_field()) == {"name", "email", "phone", "grade", "birthday"}
    assert "one of A, B, C" in caught.value.by_field()["grade"]


def test_field_values_are_normalised() -> None:
    values = parse_values(
        "customer",
        {"name": " 张伟 ", "grade": "a", "tags": "vip, +cold vip", "phone": "+86 138-0013-8000"},
        InputContext(),
    )
    assert values == {
        "name": "张伟",
        "grade": "A",
        "tags": "vip,cold",
        "phone": "+86 138-0013-8000",
    }


def test_percent_over_100_and_negative_amounts_are_refused() -> None:
    with pytest.raises(ValidationErrors) as caught:
        parse_values("opportunity", {"probability": "120", "amount": "-3"}, InputContext())
    assert set(caught.value.by_field()) == {"probability", "amount"}


def test_won_and_lost_deals_need_a_date_and_lost_needs_a_reason() -> None:
    base = {"customer_id": "c", "title": "t"}
    with pytest.raises(ValidationErrors) as caught:
        check_record("opportunity", base | {"stage": "lost", "closed_on": TODAY})
    assert "lost_reason" in caught.value.by_field()
    with pytest.raises(ValidationErrors):
        check_record("opportunity", base | {"stage": "won"})
    check_record("opportunity", base | {"stage": "won", "closed_on": TODAY})


def test_stage_probabilities_and_moves_clamp_at_the_ends() -> None:
    assert rules.STAGE_PROBABILITY[rules.Stage.PROPOSAL] == 50
    assert rules.next_stage(rules.Stage.LEAD, -1) is rules.Stage.LEAD
    assert rules.next_stage(rules.Stage.NEGOTIATION, 1) is rules.Stage.WON
    assert rules.weighted_amount(100_001, 25) == 25_000


def test_only_managers_approve_and_submitted_claims_are_locked() -> None:
    with pytest.raises(rules.RuleError):
        rules.check_expense_transition(
            rules.ExpenseStatus.SUBMITTED, rules.ExpenseStatus.APPROVED, rules.Role.REP
        )
    rules.check_expense_transition(
        rules.ExpenseStatus.SUBMITTED, rules.ExpenseStatus.APPROVED, rules.Role.MANAGER
    )
    with pytest.raises(rules.RuleError):
        rules.check_expense_transition(
            rules.ExpenseStatus.DRAFT, rules.ExpenseStatus.APPROVED, rules.Role.MANAGER
        )
    assert not rules.expense_is_editable(rules.ExpenseStatus.SUBMITTED)


@pytest.mark.parametrize(
    "zone", ["Asia/Shanghai", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12", "UTC"]
)
@pytest.mark.parametrize(
    "moment",
    [datetime(1, 1, 1), datetime(1, 1, 1, 3, 0), datetime(9999, 12, 31, 23, 59, 59), datetime.max],
)
def test_dates_at_the_edges_show_in_every_zone(zone: str, moment: datetime) -> None:
    """Issue 14: a follow-up stored in year 1 or 9999 never makes a list or agenda crash."""
    from datetime import UTC

    from crm_tui.domain.dates import utc

    clock = Clock(zone=ZoneInfo(zone))
    local = clock.to_local(moment)  # naive: stored UTC
    assert local.tzinfo is not None and local.year in (1, 9999)
    assert clock.to_local(moment.replace(tzinfo=UTC)).year in (1, 9999)
    assert utc(local).year in (1, 9999)
    local.strftime("%Y-%m-%d %H:%M")
    clock.day_start_utc(local.date())


def test_every_field_has_a_length_cap_checked_before_its_pattern() -> None:
    """Issue 14: a 1 MB phone, e-mail or web address is refused by its length, at once."""
    import time as clock_time

    from crm_tui.domain.fields import ENTITIES, KIND_MAX_LEN, FieldError, parse_value

    ctx = InputContext(clock=Clock(fixed=datetime(2026, 11, 23, 9, 0)))
    for spec in ENTITIES.values():
        for f in spec.fields:
            assert f.max_len > 0 and f.max_len <= max(KIND_MAX_LEN.values()) * 13, f
    customer = ENTITIES["customer"]
    assert customer.by_name["notes"].max_len == 4000
    assert customer.by_name["phone"].max_len == 40
    for name in ("phone", "email", "website", "notes", "name", "tags", "birthday"):
        started = clock_time.perf_counter()
        with pytest.raises(FieldError, match="at most"):
            parse_value(customer.by_name[name], "1" + " " * 1_000_000 + "!", ctx)
        assert clock_time.perf_counter() - started < 0.5
    # The phone pattern is linear even within the cap.
    started = clock_time.perf_counter()
    with pytest.raises(FieldError):
        parse_value(customer.by_name["phone"], "1" + " " * 38 + "!", ctx)
    assert clock_time.perf_counter() - started < 0.05


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", 10**30),
        ("amount", 10**15 + 1),
        ("spent_on", "1899-12-31"),
        ("spent_on", "2201-01-01"),
        ("description", "\ud800"),
        ("description", 1.5),
    ],
)
def test_values_out_of_range_are_refused(field: str, value: object) -> None:
    from crm_tui.domain.fields import ENTITIES, FieldError, parse_value

    ctx = InputContext(clock=Clock(fixed=datetime(2026, 11, 23, 9, 0)))
    with pytest.raises(FieldError):
        parse_value(ENTITIES["expense"].by_name[field], value, ctx)
