"""`s` on the follow-ups and customers lists: most urgent first (the stored score), and back;
the app brings stale scores up to date in a worker after the first paint."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_tui.domain.urgency import total
from crm_tui.screens.customers import CustomersScreen
from crm_tui.screens.followups import FollowUpsScreen
from crm_tui.screens.urgency_sort import START_DELAY_SECONDS
from crm_tui.services.urgency import WEIGHTS_KEY
from crm_tui.services.urgency import why as explain
from crm_tui.storage import urgency_store
from crm_tui.widgets.record_table import RecordTable
from tests.tui.pilot import row_at, settle

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def quiet_status_line(monkeypatch):
    # The status line's 5 s timer can fire while a slow (loaded) test tears the app down.
    monkeypatch.setattr("crm_tui.app.STATUS_SECONDS", 3600.0)


def most_urgent(db, entity: str, ids: list[str]) -> str:
    return max(ids, key=lambda row_id: total(explain(db, entity, row_id)))


def rows(table: RecordTable) -> list[dict]:
    return [row_at(table, i) for i in range(table.row_count)]


async def open_section(pilot, key: str, screen_type: type) -> RecordTable:  # noqa: ANN001
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, screen_type)
    return pilot.app.screen.query_one(RecordTable)


async def test_s_sorts_follow_ups_most_urgent_first_and_back(app, book):
    db, _ids = book
    db.set_state(WEIGHTS_KEY, '{"due": 1, "overdue": 0}')  # the grade outweighs the date
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_section(pilot, "3", FollowUpsScreen)
        by_due = [r["id"] for r in rows(table)]
        assert table.current_row["subject"] == "电话回访"  # earliest due first
        await pilot.press("s")
        await settle(pilot)
        assert table.columns[0].title == "Urg▼"
        listed = rows(table)
        assert table.current_row["id"] == most_urgent(db, "activity", by_due)
        assert table.current_row["subject"] == "Send the quote"  # grade A customer
        scores = [r["urgency"] for r in listed]
        assert scores == sorted(scores, reverse=True) and len(listed) == len(by_due)
        for row in listed:  # the stored score is the one `w` explains
            assert row["urgency"] == pytest.approx(
                total(explain(db, "activity", row["id"])), abs=1e-3
            )
        await pilot.press("d")  # done follow-ups all score 0: they keep their own order
        await settle(pilot)
        assert table.columns[0].key == "due_at" and table.current_row["subject"] == "Site visit"
        await pilot.press("o")
        await settle(pilot)
        assert table.columns[0].title == "Urg▼"
        await pilot.press("s")
        await settle(pilot)
        assert [r["id"] for r in rows(table)] == by_due and table.columns[0].key == "due_at"


async def test_s_sorts_customers_by_urgency_and_the_choice_is_kept_per_screen(app, book):
    db, ids = book
    db.repos.customers.update(ids["acme"], {"grade": "C"})
    db.repos.customers.update(ids["globex"], {"grade": "A"})
    db.repos.opportunities.create(
        {"customer_id": ids["globex"], "title": "Big", "amount": "500k", "stage": "negotiation"}
    )
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_section(pilot, "2", CustomersScreen)
        names = [r["name"] for r in rows(table)]
        await pilot.press("s")
        await settle(pilot)
        wanted = most_urgent(db, "customer", [ids[k] for k in ("acme", "bj", "zw", "globex")])
        assert table.current_row["id"] == wanted == ids["globex"]  # third by name
        followups = await open_section(pilot, "3", FollowUpsScreen)
        assert followups.columns[0].key == "due_at"  # follow-ups keep their own order
        table = await open_section(pilot, "2", CustomersScreen)
        assert table.current_row["id"] == wanted
        await pilot.press("s")
        await settle(pilot)
        assert [r["name"] for r in rows(table)] == names


async def test_filter_applies_to_the_urgency_order(app, book):
    db, _ids = book
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_section(pilot, "3", FollowUpsScreen)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("slash", *"kind:visit")
        await pilot.pause(0.2)
        await settle(pilot)
        assert [r["subject"] for r in rows(table)] == ["上门拜访"]


async def test_app_start_brings_stale_scores_up_to_date(app, book):
    db, _ids = book
    conn_clock = db.clock
    urgency_store.try_refresh(db)
    conn_clock.advance(timedelta(days=3))  # a new day: yesterday's scores are stale
    assert not urgency_store.fresh(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.pause(START_DELAY_SECONDS + 0.5)  # not while the first screen paints
        await settle(pilot)
        assert urgency_store.fresh(db)
        table = await open_section(pilot, "3", FollowUpsScreen)
        await pilot.press("s")
        await settle(pilot)
        for row in rows(table):
            assert row["urgency"] == pytest.approx(
                total(explain(db, "activity", row["id"])), abs=1e-3
            )
