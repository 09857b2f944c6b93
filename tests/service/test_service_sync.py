"""Through a real `crm server` on three laptops: a rep asks for a dispatch, a manager
approves it, the engineer (and only that engineer) gets the order, starts and finishes it,
and the rep sees it done with the server's SV number; the server refuses steps taken by
the wrong person; two laptops offline never create the same planned visit twice."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import service_orders as orders
from crm_tui.services import service_plans as plans
from crm_tui.services.book import Book
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server

server = sqlite_server("service")


def _synced(*laps) -> None:
    for lap in laps:
        report = lap.sync()
        assert not report.rejected, report


def test_request_approve_dispatch_start_finish_on_three_laptops(laptop) -> None:  # noqa: F811
    rep, boss, eng, other = laptop(), laptop("manager"), laptop(), laptop()
    _synced(rep, boss, eng, other)  # everyone knows the team
    book = Book(rep.db)
    acme = rep.db.repos.customers.create({"name": "苏州纺织机械厂"})
    rec = orders.create(
        book,
        {
            "customer_id": acme.id,
            "subject": "安装 3 号织机",
            "kind": "install",
            "planned_start": "2026-12-02 09:00",
            "engineer_id": eng.db.user_id,
        },
    )
    orders.step(book, rec.id, "request")
    _synced(rep)
    number = rep.row("service", rec.id)["number"]
    assert number.startswith("SV-2026-") and "-P-" not in number
    # Not dispatched yet: the engineer does not see it; the manager does.
    _synced(eng, boss)
    assert eng.row("service", rec.id) is None
    assert boss.row("service", rec.id)["status"] == "requested"
    orders.decide(Book(boss.db), rec.id, approve=True, note="尽快")
    _synced(boss, eng, other)
    seen = eng.row("service", rec.id)
    assert seen["status"] == "approved" and seen["dispatched_to"] == eng.db.user_id
    assert seen["approver_id"] == boss.db.user_id and seen["number"] == number
    assert other.row("service", rec.id) is None
    # The rep cannot start the engineer's visit; the engineer does, then finishes it.
    _synced(rep)
    with pytest.raises(ValidationErrors, match="assigned engineer"):
        orders.step(book, rec.id, "start")
    eng_book = Book(eng.db)
    orders.step(eng_book, rec.id, "start")
    report = orders.read_report(eng_book, hours="3", costs={"parts": "1200"}, rating="4")
    orders.finish(eng_book, rec.id, report.values())
    _synced(eng, rep, other)
    done = rep.row("service", rec.id)
    assert (done["status"], done["minutes"], done["parts_cost"], done["rating"]) == (
        "done",
        180,
        120_000,
        4,
    )
    assert done["finished_at"] is not None and done["started_at"] is not None
    assert other.row("service", rec.id) is None


def test_server_refuses_steps_by_the_wrong_person_and_forged_fields(laptop) -> None:  # noqa: F811
    from tests.sync.test_permissions import raw_push

    rep, eng = laptop(), laptop()
    _synced(rep, eng)
    book = Book(rep.db)
    acme = rep.db.repos.customers.create({"name": "杭州电梯"})
    rec = orders.create(
        book, {"customer_id": acme.id, "subject": "维修", "engineer_id": eng.db.user_id}
    )
    orders.step(book, rec.id, "request")
    _synced(rep)

    def push(kind: str, payload: dict) -> object:
        (answer,) = raw_push(
            rep, {"entity": "service", "row_id": rec.id, "kind": kind, "payload": payload}
        )
        return answer

    approve = push("command", {"command": "approve", "fields": {}})
    assert approve.status == "rejected" and "only a manager" in (approve.reason or "")
    forged = push("patch", {"status": "approved"})
    assert forged.status == "rejected" and "steps" in (forged.reason or "")
    finish = push("command", {"command": "finish", "fields": {"rating": 9}})
    assert finish.status == "rejected"
    # A visit ending before it starts, from a laptop that skips the check.
    (backwards,) = raw_push(
        rep,
        {"entity": "service", "row_id": str(uuid.uuid4()), "kind": "create", "payload": {
            "customer_id": acme.id, "subject": "倒序", "status": "new",
            "planned_start": "2026-12-05T09:00:00Z", "planned_end": "2026-12-04T09:00:00Z"}},
    )  # fmt: skip
    assert backwards.status == "rejected" and "ends before it starts" in (backwards.reason or "")
    deleted = push("delete", {})  # requested: it is cancelled, not deleted
    assert deleted.status == "rejected" and "cannot be deleted" in (deleted.reason or "")


def test_two_laptops_offline_make_one_planned_visit(laptop) -> None:  # noqa: F811
    rep, boss = laptop(), laptop("manager")
    _synced(rep, boss)
    acme = rep.db.repos.customers.create({"name": "宁波注塑"})
    plan = plans.create(
        Book(rep.db),
        {"customer_id": acme.id, "every": "3m", "starts_on": "2026-09-01", "lead_days": 30},
    )
    _synced(rep, boss)
    # Both laptops, offline, make the visit of 1 December.
    today = date(2026, 11, 20)
    made_rep = plans.generate(Book(rep.db), today)
    made_boss = plans.generate(Book(boss.db), today)
    assert [o.id for o in made_rep] == [o.id for o in made_boss]
    _synced(rep, boss)
    _synced(rep, boss)
    for lap in (rep, boss):
        got = lap.db.repos.service.services.page(where=[], limit=50)
        ours = [o for o in got if o.plan_id == plan.id]
        assert len(ours) == 1 and ours[0].owner_id == rep.db.user_id
        assert ours[0].number.startswith("SV-2026-") and "-P-" not in ours[0].number
