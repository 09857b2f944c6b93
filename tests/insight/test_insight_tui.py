"""Customer insight in the app (Pilot): the desk's "Valuable customers at risk" by value at
risk, the customer page's panel with the churn reasons, `S` takes a survey (a bad score is
refused inline; a low one adds a call-back), and the customers list's segment column."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Input

from crm_tui.screens.customer_detail import CustomerDetailScreen
from crm_tui.screens.desk import DeskList, DeskScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.insight import InsightPanel
from tests.tui.conftest import seed_book
from tests.tui.pilot import settle

pytestmark = pytest.mark.anyio

TODAY = date(2026, 11, 23)


@pytest.fixture
def app(tmp_path, clock):
    from crm_tui.app import make_app
    from crm_tui.storage.database import open_database

    db = open_database(tmp_path / "tui.db", clock)
    ids = seed_book(db)
    db.set_state("reminders.interval", "3600")  # no reminder dialogs over these tests
    r = db.repos
    # Two big monthly buyers who stopped (more and less), one small steady buyer.
    for name, size, silent in (("大客户 Stopped", 90_000, 120), ("Drifting Co", 40_000, 75)):
        cid = r.customers.create({"name": name, "grade": "A"}).id
        ids[name] = cid
        for i in range(10):
            day = TODAY - timedelta(days=silent + 30 * i)
            r.opportunities.create(
                {
                    "customer_id": cid,
                    "title": f"order {i}",
                    "stage": "won",
                    "amount": str(size),
                    "closed_on": day.isoformat(),
                }
            )
    for n in range(4):  # small steady buyers: the big two are the top of the book
        small = r.customers.create({"name": f"Small Steady {n}"}).id
        for i in range(6):
            r.opportunities.create(
                {
                    "customer_id": small,
                    "title": f"s{i}",
                    "stage": "won",
                    "amount": "100",
                    "closed_on": (TODAY - timedelta(days=3 + 30 * i)).isoformat(),
                }
            )
    application = make_app(db)
    application.test_ids = ids  # type: ignore[attr-defined]
    yield application
    db.close()


async def wait_for(pilot, check, tries: int = 100) -> None:
    for _ in range(tries):
        await settle(pilot)
        if check():
            return
    raise AssertionError("condition never held")


async def test_desk_lists_valuable_customers_at_risk_by_value(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        await wait_for(pilot, lambda: bool(screen.query("#at-risk")))
        panel = screen.query_one("#at-risk", DeskList)
        lines = [str(o.prompt) for o in panel.options]
        assert panel.border_title == "Valuable customers at risk (2)"
        assert "大客户 Stopped" in lines[0] and "Drifting Co" in lines[1]
        assert not any("Small Steady" in line for line in lines)
        panel.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerDetailScreen))
        assert app.screen.customer_id == app.test_ids["大客户 Stopped"]


async def test_customer_page_shows_risk_reasons_and_s_takes_a_survey(app) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.shell.open_record("customer", app.test_ids["Drifting Co"])
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerDetailScreen))
        panel = app.screen.query_one(InsightPanel)
        await wait_for(pilot, lambda: panel.loaded)
        text = str(panel.render())
        assert "Churn risk" in text and "no order for 75 days; usual interval is 30 days" in text
        assert "Satisfaction: not asked yet" in text
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm))
        form = app.screen
        form.query_one("#f-score", Input).value = "9"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)  # refused where it was typed
        assert "from 1 to 5" in str(form._note("score").render())
        form.query_one("#f-score", Input).value = "2"
        form.query_one("#f-comment").load_text("价格太高")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerDetailScreen))
        await wait_for(pilot, lambda: panel.loaded and "2/5" in str(panel.render()))
        assert "latest satisfaction 2/5" in str(panel.render())


async def test_reports_screen_shows_segments_and_churn(tmp_path, clock) -> None:
    from crm_tui.screens.reports import ReportsScreen
    from crm_tui.storage.database import open_database
    from tests.tui.test_reports import ReportsHost

    db = open_database(tmp_path / "reports.db", clock)
    cid = db.repos.customers.create({"name": "流失客户"}).id
    for i in range(6):
        day = TODAY - timedelta(days=100 + 30 * i)
        db.repos.opportunities.create(
            {
                "customer_id": cid,
                "title": f"o{i}",
                "stage": "won",
                "amount": "9000",
                "closed_on": day.isoformat(),
            }
        )
    app = ReportsHost(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await pilot.press("g")
        key = ("segments", screen.period.label, False)
        await wait_for(pilot, lambda: key in screen._cache)
        rows = screen._cache[key].section("segments").rows
        assert sum(row[1] for row in rows) == 1  # every customer in one group
        await pilot.press("k")
        key = ("churn", screen.period.label, False)
        await wait_for(pilot, lambda: key in screen._cache)
        at_risk = screen._cache[key].section("at_risk")
        assert at_risk.rows[0][0] == "流失客户" and at_risk.row_ids == [cid]
    db.close()


async def test_palette_opens_the_churn_report_and_the_customers_at_risk(app) -> None:
    from crm_tui.screens.customers import CustomersScreen
    from crm_tui.screens.reports import ReportsScreen
    from crm_tui.screens.routing import destinations

    found = {d.title: d for d in destinations()}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        found["Churn report (客户流失)"].run(app)
        await wait_for(pilot, lambda: isinstance(app.screen, ReportsScreen))
        await wait_for(pilot, lambda: app.screen.current == "churn")
        found["Customers at risk (流失风险)"].run(app)
        await wait_for(pilot, lambda: isinstance(app.screen, CustomersScreen))
        screen = app.screen
        await wait_for(pilot, lambda: "risk>=0.4" in screen.query_text)
        await wait_for(pilot, lambda: screen.table.row_count == 2)


async def test_w_on_the_customers_list_explains_the_churn_risk_too(app) -> None:
    from crm_tui.screens.customers import CustomersScreen
    from crm_tui.screens.routing import destinations

    found = {d.title: d for d in destinations()}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        found["Customers at risk (流失风险)"].run(app)
        await wait_for(pilot, lambda: isinstance(app.screen, CustomersScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.table.row_count == 2)
        screen.table.focus()
        shown: list[str] = []
        app.notify = lambda message, **kw: shown.append(str(message))  # type: ignore[method-assign]
        await pilot.press("w")
        await wait_for(pilot, lambda: bool(shown))
        assert "Churn risk 0.80" in shown[0] and "usual interval is 30 days" in shown[0]
