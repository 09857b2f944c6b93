"""Through a real `crm server` (issue 18, the app's pieces): a check-in's photo attached in
the app's check-in dialog reaches the manager's laptop and opens there; pool rules a
manager edits in the app reach a rep, whose "going to the pool" follows them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crm_tui.screens.checkin_dialog import CheckInDialog
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pool_rules import PoolRulesScreen
from crm_tui.services import checkins, files, pool
from crm_tui.services.book import Book
from crm_tui.services.sync import sync_now
from tests.sync.conftest import laptop  # noqa: F401  (fixtures)
from tests.sync.pg import sqlite_server
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio

server = sqlite_server("pool-app")


async def test_a_photo_from_the_check_in_dialog_reaches_the_manager(laptop, tmp_path: Path) -> None:  # noqa: F811
    from crm_tui.screens.followups import FollowUpsScreen

    rep, boss = laptop(), laptop("manager")
    cust = rep.db.repos.customers.create({"name": "外滩公司", "address": "中山东一路 1 号"})
    visit = rep.db.repos.activities.create(
        {"customer_id": cust.id, "kind": "visit", "subject": "拜访外滩公司", "due_at": "today"}
    )
    photo = tmp_path / "门头.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + "外滩公司门头".encode() * 100)
    app = Host(rep.db, FollowUpsScreen)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, CheckInDialog)
        await pilot.press("tab", *str(photo), "enter")
        await settle(pilot)
        assert not isinstance(app.screen, CheckInDialog)
    report = sync_now(Book(rep.db))
    assert not report.rejected, report
    sync_now(Book(boss.db))
    seen = checkins.checkins_of(Book(boss.db), cust.id)
    assert [c.activity_id for c in seen] == [visit.id]
    shots = checkins.photos_of(Book(boss.db), seen[0].id)
    assert [s.name for s in shots] == ["门头.jpg"]
    assert files.open_path(Book(boss.db), shots[0].id).read_bytes() == photo.read_bytes()


async def test_rules_a_manager_edits_in_the_app_reach_the_rep(laptop) -> None:  # noqa: F811
    rep, boss = laptop(), laptop("manager")
    now = rep.db.clock.now()
    rep.db.repos.customers.create(
        {"name": "苏州精密", "grade": "A", "claimed_at": now - timedelta(days=20)}
    )
    going = pool.going_to_pool(Book(rep.db), user_id=Book(rep.db).user_id)
    assert [c.name for c in going] == []  # default: 30 days, warned from day 23
    app = Host(boss.db, PoolRulesScreen)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "e")  # grade A
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        app.screen.query_one("#f-followup_days").value = "25"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PoolRulesScreen)
    assert not sync_now(Book(boss.db)).rejected
    sync_now(Book(rep.db))
    assert pool.rules(Book(rep.db)).for_grade("A").followup_days == 25
    going = pool.going_to_pool(Book(rep.db), user_id=Book(rep.db).user_id)
    assert [c.name for c in going] == ["苏州精密"]
