"""Pilot: request -> approve -> start -> finish across the screens (the Service list, the
Approvals view with claims and dispatches together, the finish dialog with inline errors,
the detail with its history), one laptop file switching who is signed in."""

from __future__ import annotations

import uuid

import pytest
from textual.widgets import DataTable, Input, Static

from crm_tui.screens.approvals import ApprovalsScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import PromptScreen
from crm_tui.screens.service import ServiceScreen
from crm_tui.screens.service_detail import ServiceDetailScreen
from crm_tui.services import expenses, service_orders
from crm_tui.services.book import Book
from tests.tui.pilot import row_at, settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


def _user(db, name: str, role: str) -> str:
    row_id = str(uuid.uuid4())
    with db.transaction() as s:
        db.repos.users.apply_remote(s, row_id, {"fields": {"name": name, "role": role}}, version=1)
    return row_id


def _as(db, user_id: str, role: str = "rep") -> None:
    db.set_state("user_id", user_id)
    db.set_state("role", role)


@pytest.fixture
def setup(db):
    team = {
        n: _user(db, n, r) for n, r in (("王工", "rep"), ("李经理", "manager"), ("张敏", "rep"))
    }
    _as(db, team["张敏"])
    acme = db.repos.customers.create({"name": "常州电机厂"})
    order = service_orders.create(
        Book(db),
        {
            "customer_id": acme.id,
            "subject": "电机异响检修",
            "planned_start": "2026-11-26 10:00",
            "engineer_id": team["王工"],
        },
    )
    claim = expenses.create(
        Book(db), {"spent_on": "2026-11-20", "amount": "88", "description": "taxi"}
    )
    expenses.submit(Book(db), claim.id)
    return team, order


async def test_request_approve_start_finish_by_keys(db, setup) -> None:
    team, order = setup
    book = Book(db)
    app = Host(db, ServiceScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_at(app.screen.table, 0)["id"] == order.id
        await pilot.press("r")  # the rep asks for dispatch
        await settle(pilot)
        assert service_orders.get(book, order.id).status == "requested"

    # The manager: claims and dispatches in one queue, `f` narrows it to dispatches.
    _as(db, team["李经理"], "manager")
    app = Host(db, ApprovalsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        kinds = [table.get_row_at(i)[6] for i in range(table.row_count)]
        assert sorted(kinds) == ["claim", "dispatch"]
        await pilot.press("f")  # claims only
        await settle(pilot)
        await pilot.press("f")  # dispatches only
        await settle(pilot)
        assert table.row_count == 1 and table.get_row_at(0)[6] == "dispatch"
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = "明早出发"
        await pilot.press("enter")
        await settle(pilot)
        assert table.row_count == 0
    approved = service_orders.get(book, order.id)
    assert approved.status == "approved" and approved.dispatched_to == team["王工"]

    # The engineer: x before s is refused; s starts; x asks time, costs, rating, feedback.
    _as(db, team["王工"])
    app = Host(db, ServiceScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Greyed out before it is started: finishing needs a start; starting is allowed.
        assert app.screen.check_action("finish", ()) is None
        assert app.screen.check_action("start", ()) is True
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        await pilot.press("s")
        await settle(pilot)
        assert service_orders.get(book, order.id).status == "in_progress"
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-minutes", Input).value = "90"
        form.query_one("#f-parts_cost", Input).value = "260"
        form.query_one("#f-rating", Input).value = "6"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused beside the field, nothing written
        assert "1 to 5" in str(form.query_one("#note-rating", Static).render())
        assert service_orders.get(book, order.id).status == "in_progress"
        form.query_one("#f-rating", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        done = service_orders.get(book, order.id)
        assert (done.status, done.minutes, done.parts_cost, done.rating) == (
            "done",
            90,
            26_000,
            5,
        )
        await pilot.press("enter")  # the detail and its history
        await settle(pilot)
        assert isinstance(app.screen, ServiceDetailScreen)
        history = str(app.screen.query_one("#service-history", Static).render())
        assert "dispatched by 李经理" in history and "finished" in history
        body = str(app.screen.query_one("#service-body", Static).render())
        assert "by 李经理 to 王工" in body


async def test_the_desk_shows_todays_visits_and_waiting_dispatches(db, setup) -> None:
    from crm_tui.app import make_app
    from crm_tui.screens.desk import DeskList, DeskScreen

    team, order = setup
    book = Book(db)
    today = service_orders.create(
        book,
        {
            "customer_id": order.customer_id,
            "subject": "今日巡检",
            "planned_start": "today 15:00",
            "engineer_id": team["王工"],
        },
    )
    for rec in (order, today):
        service_orders.step(book, rec.id, "request")
    _as(db, team["李经理"], "manager")
    service_orders.step(book, today.id, "approve")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        waiting = app.screen.query_one("#service-waiting", DeskList)
        assert waiting.option_count == 1 and "电机异响检修" in str(
            waiting.get_option_at_index(0).prompt
        )
        assert not app.screen.query("#service-visits")  # not the manager's visit
    _as(db, team["王工"])
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        visits = app.screen.query_one("#service-visits", DeskList)
        line = str(visits.get_option_at_index(0).prompt)
        assert visits.option_count == 1 and "15:00" in line and "今日巡检" in line
        assert not app.screen.query("#service-waiting")


async def test_the_reports_screen_has_service_statistics(db, setup) -> None:
    from crm_tui.screens.reports import ReportsScreen

    team, order = setup
    app = Host(db, ReportsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert screen.current == "service"
        built = [r for (name, *_), r in screen._cache.items() if name == "service"]
        assert built and built[0].section("by_kind").rows[0][:2] == ["repair", 1]


async def test_the_customer_page_lists_its_orders_and_plans(db, setup) -> None:
    from crm_tui.screens.customer_detail import CustomerDetailScreen
    from crm_tui.services import service_plans

    team, order = setup
    service_plans.create(
        Book(db), {"customer_id": order.customer_id, "every": "3m", "starts_on": "2026-12-01"}
    )
    app = Host(db, lambda d: CustomerDetailScreen(Book(d), order.customer_id))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#table-service")
        assert table.row_count == 1 and row_at(table, 0)["id"] == order.id
        assert "every 3m" in str(screen.query_one("#service-plans", Static).render())
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ServiceDetailScreen)


async def test_enter_on_a_desk_visit_opens_the_order(db, setup) -> None:
    from crm_tui.app import make_app
    from crm_tui.screens.desk import DeskList

    team, order = setup
    book = Book(db)
    service_orders.step(book, order.id, "request")
    _as(db, team["李经理"], "manager")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#service-waiting", DeskList)
        panel.focus()
        panel.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ServiceDetailScreen) and app.screen.service_id == order.id


async def test_opening_the_service_screen_makes_the_plans_visits_once_a_day(db, setup) -> None:
    from crm_tui.services import service_plans

    team, order = setup
    service_plans.create(
        Book(db),
        {"customer_id": order.customer_id, "every": "1m", "starts_on": "2026-11-30"},
    )
    app = Host(db, ServiceScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.table.row_count == 2  # the order and the plan's visit of 30 Nov
    assert service_plans.generate_daily(Book(db)) == []  # not again today


async def test_service_plans_list_new_and_switch_off(db, setup) -> None:
    from crm_tui.screens.service import ServicePlansScreen
    from crm_tui.services import service_plans

    team, order = setup
    plan = service_plans.create(
        Book(db), {"customer_id": order.customer_id, "every": "2w", "starts_on": "2026-12-01"}
    )
    app = Host(db, ServicePlansScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.table
        assert table.row_count == 1 and row_at(table, 0)["customer_name"] == "常州电机厂"
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-every", Input).value = "weekly"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "not an interval" in str(
            form.query_one("#note-every", Static).render()
        )
        form.query_one("#f-every", Input).value = "1m"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert service_plans.get(Book(db), plan.id).every == "1m"


async def test_the_list_requeries_after_a_step_taken_in_the_detail(db, setup) -> None:
    """Review s12: finished from the detail, the order left `status:in_progress` at once
    (escape back to the list), as the CLI's `crm list services status:in_progress` does."""
    team, order = setup
    book = Book(db)
    service_orders.step(book, order.id, "request")
    _as(db, team["李经理"], "manager")
    service_orders.step(book, order.id, "approve")
    _as(db, team["王工"])
    service_orders.step(book, order.id, "start")
    app = Host(db, ServiceScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.show_query("status:in_progress")
        await settle(pilot)
        listing = app.screen
        assert listing.table.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ServiceDetailScreen)
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-minutes", Input).value = "1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ServiceDetailScreen)
        assert service_orders.get(book, order.id).status == "done"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is listing and listing.table.row_count == 0
        # A step from the list keeps its row in view; enter on the same query drops it.
        listing.show_query("status:done")
        await settle(pilot)
        _as(db, team["张敏"])
        await pilot.press("c")  # close, from the list
        await settle(pilot)
        assert service_orders.get(book, order.id).status == "closed"
        assert listing.table.row_count == 1  # kept in view after the step
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert listing.table.row_count == 0


async def test_the_finish_dialog_marks_every_bad_value_at_once(db, setup) -> None:
    """Review s12: Parts -5, Travel abc and Rating 6 are all marked in one round; `x`
    before the visit is started names the key to press, not a CLI command."""
    team, order = setup
    book = Book(db)
    service_orders.step(book, order.id, "request")
    _as(db, team["李经理"], "manager")
    service_orders.step(book, order.id, "approve")
    _as(db, team["王工"])
    app = Host(db, ServiceScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ServiceDetailScreen)
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        hints = [n.message for n in app._notifications]
        assert any("press s to start the visit" in m for m in hints), hints
        assert not any("crm start" in m for m in hints)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-parts_cost", Input).value = "-5"
        form.query_one("#f-travel_cost", Input).value = "abc"
        form.query_one("#f-rating", Input).value = "6"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        notes = {
            name: str(form.query_one(f"#note-{name}", Static).render())
            for name in ("parts_cost", "travel_cost", "rating")
        }
        assert all(notes.values()), notes
        assert "1 to 5" in notes["rating"]
        assert service_orders.get(book, order.id).status == "in_progress"
