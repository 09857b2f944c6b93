"""Service orders and plans through the services on a real SQLite file: add, request,
approve, start, finish with the report; refusals (rating 6, negative cost, finish before
start, a manager's own request, plain edits of the status); plan visits made once."""

from __future__ import annotations

from datetime import date

import pytest

from crm_tui.domain.fields import ValidationErrors
from crm_tui.services import service_orders as orders
from crm_tui.services import service_plans as plans
from crm_tui.services.book import Book


@pytest.fixture
def book(db) -> Book:
    return Book(db)


@pytest.fixture
def team(db) -> dict[str, str]:
    return {
        n: _user(db, n, r) for n, r in (("王工", "rep"), ("李经理", "manager"), ("张敏", "rep"))
    }


def _user(db, name: str, role: str) -> str:
    """A team member as a pull writes it (users are added on the server)."""
    import uuid

    row_id = str(uuid.uuid4())
    with db.transaction() as s:
        db.repos.users.apply_remote(
            s, row_id, {"fields": {"name": name, "role": role}, "owner_id": None}, version=1
        )
    return row_id


def _as(db, user_id: str, role: str = "rep") -> None:
    db.set_state("user_id", user_id)
    db.set_state("role", role)


@pytest.fixture
def customer(db):
    return db.repos.customers.create({"name": "上海精密仪器有限公司"})


def test_request_approve_start_finish(book: Book, db, team, customer) -> None:
    _as(db, team["张敏"])
    rec = orders.create(
        book,
        {
            "customer_id": customer.id,
            "subject": "安装 CNC 主轴",
            "kind": "install",
            "planned_start": "2026-11-25 09:00",
            "engineer_id": team["王工"],
        },
    )
    assert rec.status == "new" and rec.number.startswith("SV-2026-P-")
    assert orders.resolve(book, rec.number).id == rec.id
    orders.step(book, rec.id, "request")
    # The rep cannot approve her own request; the manager can.
    with pytest.raises(ValidationErrors, match="only a manager"):
        orders.step(book, rec.id, "approve")
    _as(db, team["李经理"], "manager")
    assert [o.id for o in orders.waiting_approval(book)] == [rec.id]
    assert "Dispatched" in orders.decide(book, rec.id, approve=True, note="")
    approved = orders.get(book, rec.id)
    assert approved.status == "approved" and approved.approver_id == team["李经理"]
    # The visit's steps are the engineer's, and finishing needs a start first.
    with pytest.raises(ValidationErrors, match="assigned engineer"):
        orders.step(book, rec.id, "start")
    _as(db, team["王工"])
    with pytest.raises(ValidationErrors, match="start the visit before finishing"):
        orders.finish(book, rec.id, {"minutes": 60})
    orders.step(book, rec.id, "start")
    report = orders.read_report(
        book, hours="2.5", costs={"parts": "300", "travel": "45.50"}, rating="5", feedback="好"
    )
    done = orders.finish(book, rec.id, report.values())
    assert (done.status, done.minutes, done.parts_cost, done.travel_cost, done.rating) == (
        "done",
        150,
        30_000,
        4_550,
        5,
    )
    assert orders.total_cost(done) == 34_550 and done.finished_at is not None


def test_bad_reports_and_plain_status_edits_are_refused(book: Book, db, team, customer) -> None:
    with pytest.raises(ValidationErrors) as caught:
        orders.read_report(book, hours="-2", costs={"parts": "-5", "fuel": "3"}, rating="6")
    assert set(caught.value.by_field()) == {"minutes", "parts_cost", "fuel", "rating"}
    rec = orders.create(book, {"customer_id": customer.id, "subject": "维修"})
    with pytest.raises(ValidationErrors, match="use request, approve"):
        orders.update(book, rec.id, {"status": "done"})
    with pytest.raises(ValidationErrors, match="name the engineer"):
        orders.step(book, rec.id, "request")
    with pytest.raises(ValidationErrors, match="rating"):
        orders.create(book, {"customer_id": customer.id, "subject": "x", "rating": 6})
    assert db.repos.service.services.count() == 1


def test_a_manager_cannot_approve_their_own_request(book: Book, db, team, customer) -> None:
    _as(db, team["李经理"], "manager")
    rec = orders.create(
        book, {"customer_id": customer.id, "subject": "巡检", "engineer_id": team["王工"]}
    )
    orders.step(book, rec.id, "request")
    assert orders.waiting_approval(book) == []
    with pytest.raises(ValueError, match="their own"):
        orders.decide(book, rec.id, approve=True, note="")
    with pytest.raises(ValueError, match="say why"):
        orders.decide(book, rec.id, approve=False, note=" ")


def test_a_plan_makes_each_visit_once(book: Book, db, team, customer) -> None:
    plan = plans.create(
        book,
        {
            "customer_id": customer.id,
            "every": "3m",
            "starts_on": "2026-09-01",
            "engineer_id": team["王工"],
            "lead_days": 30,
        },
    )
    with pytest.raises(ValidationErrors, match="not an interval"):
        plans.create(book, {"customer_id": customer.id, "every": "weekly"})
    made = plans.generate(book, date(2026, 11, 23))
    assert [o.planned_start.date() for o in made] == [date(2026, 12, 1)]
    assert made[0].plan_id == plan.id and made[0].engineer_id == team["王工"]
    assert plans.generate(book, date(2026, 11, 23)) == []
    # Deleted by the rep: not made again.
    orders_repo = db.repos.service.services
    orders_repo.delete(made[0].id)
    assert plans.generate(book, date(2026, 11, 24)) == []


def test_queries_of_the_service_list(book: Book, db, team, customer) -> None:
    from crm_tui.services import lists

    _as(db, team["张敏"])
    orders.create(
        book,
        {
            "customer_id": customer.id,
            "subject": "设备维修",
            "kind": "repair",
            "planned_start": "2026-11-20 09:00",
            "engineer_id": team["王工"],
        },
    )
    orders.create(book, {"customer_id": customer.id, "subject": "培训", "kind": "training"})
    _as(db, team["李经理"], "manager")
    orders.create(book, {"customer_id": customer.id, "subject": "巡检", "kind": "inspection"})

    def ids(text: str) -> int:
        return lists.count(book, "service", text)

    _as(db, team["张敏"])
    assert ids("is:mine") == 2  # the two she made
    _as(db, team["王工"])
    assert ids("is:mine") == 1 and ids("engineer:me") == 1  # the one sent to him
    assert ids("engineer:王工 kind:repair") == 1
    assert ids("is:open planned<today") == 1  # planned on the 20th, not done: overdue
    assert ids("维修") == 1 and ids("customer:上海精密") == 3
