"""The pure rules of after-sales service: steps and who takes them, the finish report's
checks, SV numbers, plan visit days and their deterministic ids."""

from __future__ import annotations

from datetime import date

import pytest

from crm_tui.domain import service_rules as rules
from crm_tui.domain.permissions import Actor, can_see_service, why_not_service_step

REP, MGR, ENG = Actor("rep"), Actor("mgr", "manager"), Actor("eng")


def test_the_status_walk_and_refused_steps() -> None:
    walk = [("request", "new"), ("approve", "requested"), ("start", "approved")]
    walk += [("finish", "in_progress"), ("close", "done")]
    assert [rules.check_step(c, s).value for c, s in walk] == [
        "requested",
        "approved",
        "in_progress",
        "done",
        "closed",
    ]
    with pytest.raises(rules.ServiceError, match="start the visit before finishing"):
        rules.check_step("finish", "approved")
    with pytest.raises(rules.ServiceError, match="a done service order cannot be cancelled"):
        rules.check_step("cancel", "done")
    assert rules.check_step("request", "rejected") is rules.ServiceStatus.REQUESTED


def test_who_takes_each_step() -> None:
    assert why_not_service_step(REP, "request", "rep", "eng") is None
    assert "only the order's creator" in (why_not_service_step(ENG, "request", "rep", "eng") or "")
    assert "only a manager" in (why_not_service_step(REP, "approve", "rep", "eng") or "")
    assert why_not_service_step(MGR, "approve", "rep", "eng") is None
    # A manager never decides their own request.
    assert "their own" in (why_not_service_step(MGR, "approve", "mgr", "eng") or "")
    assert why_not_service_step(ENG, "start", "rep", "eng") is None
    assert "assigned engineer" in (why_not_service_step(REP, "finish", "rep", "eng") or "")
    assert "assigned engineer" in (why_not_service_step(MGR, "start", "rep", "eng") or "")
    assert can_see_service(ENG, "rep", "eng") and not can_see_service(ENG, "rep", None)
    assert can_see_service(MGR, "rep", None) and can_see_service(REP, "rep", None)


def test_finish_report_values() -> None:
    assert rules.parse_hours("2.5") == 150
    assert rules.parse_hours("1:45") == 105
    assert rules.parse_hours("3h") == 180
    for bad in ("-1", "abc", "2.5.1"):
        with pytest.raises(rules.ServiceError):
            rules.parse_hours(bad)
    rules.check_report(90, {"parts_cost": 30_000}, 5)
    with pytest.raises(rules.ServiceError, match="6 is not a rating from 1 to 5"):
        rules.check_report(None, {}, 6)
    with pytest.raises(rules.ServiceError, match="cannot be negative"):
        rules.check_report(None, {"travel_cost": -1}, None)
    with pytest.raises(rules.ServiceError, match="more than a month"):
        rules.check_report(903_007, {}, None)  # three fields typed into one
    assert rules.total_cost(30_000, 5_000, None) == 35_000


def test_numbers_reuse_the_contract_scheme() -> None:
    assert rules.provisional_number(2026, "0192aa-bb-73678c") == "SV-2026-P-73678C"
    assert rules.confirmed_number(2026, 42) == "SV-2026-0042"
    assert rules.is_provisional("SV-2026-P-73678C") and not rules.is_provisional("SV-2026-0042")
    assert rules.confirmed_seq("SV-2026-0042", 2026) == 42
    assert rules.confirmed_seq("SV-2025-0042", 2026) == 0
    assert rules.confirmed_seq("HT-2026-0042", 2026) == 0


def test_plan_visits_and_their_ids() -> None:
    start = date(2026, 1, 31)
    assert [rules.nth_visit(start, "1m", i) for i in range(3)] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert rules.visits_due(start, "3m", None, date(2026, 10, 1), 40) == [date(2026, 10, 31)]
    assert rules.visits_due(start, "3m", date(2026, 10, 30), date(2026, 10, 1), 40) == []
    assert rules.visits_due(date(2026, 11, 2), "2w", None, date(2026, 11, 1), 30) == [
        date(2026, 11, 2),
        date(2026, 11, 16),
        date(2026, 11, 30),
    ]
    with pytest.raises(rules.ServiceError, match="not an interval"):
        rules.parse_every("0m")
    one = rules.visit_id("plan-1", date(2026, 12, 1))
    assert one == rules.visit_id("plan-1", date(2026, 12, 1))
    assert one != rules.visit_id("plan-1", date(2027, 3, 1))
    assert one != rules.visit_id("plan-2", date(2026, 12, 1))


def test_a_book_never_signed_in_takes_the_engineers_steps() -> None:
    solo = Actor(None)
    assert why_not_service_step(solo, "start", None, "eng") is None
    assert "only a manager" in (why_not_service_step(solo, "approve", None, "eng") or "")
