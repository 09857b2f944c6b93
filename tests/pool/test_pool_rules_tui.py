"""Pilot: the pool rules screen (issue 18) — reached with R from the pool; a manager edits a
grade's rules in a form that refuses a negative or a non-number beside the field, and what
goes to the pool soon follows the new rule; a rep sees the rules read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_tui.domain.pool_rules import PoolRule
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pool import PoolScreen
from crm_tui.screens.pool_rules import PoolRulesScreen
from crm_tui.services import pool
from crm_tui.services.book import Book
from tests.pool.conftest import ALICE, BOSS, sign_in
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio


@pytest.fixture
def team(db):
    for uid, name, role in ((ALICE, "alice", "rep"), (BOSS, "boss", "manager")):
        with db.transaction() as s:
            db.repos.users.apply_remote(
                s, uid, {"fields": {"name": name, "role": role}, "owner_id": uid}, version=1
            )
    sign_in(db, ALICE)
    now = db.clock.now()
    # Grade A, owned 20 days with no follow-up: the default 30 days releases it in 10,
    # outside the 7-day warning.
    return db.repos.customers.create(
        {"name": "苏州精密", "grade": "A", "claimed_at": now - timedelta(days=20)}
    )


def _going(db) -> list[str]:
    return [c.name for c in pool.going_to_pool(Book(db), user_id=ALICE)]


def _cells(screen, grade: str) -> list[str]:
    table = screen.query_one("#rules")
    return [str(c) for c in table.get_row(grade)]


async def _open_rules(pilot, app) -> PoolRulesScreen:
    await settle(pilot)
    await pilot.press("R")
    await settle(pilot)
    assert isinstance(app.screen, PoolRulesScreen)
    return app.screen


async def test_a_manager_edits_a_grade_and_what_goes_to_the_pool_follows(db, team) -> None:
    assert _going(db) == []
    sign_in(db, BOSS, "manager")
    app = Host(db, PoolScreen)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_rules(pilot, app)
        assert _cells(screen, "A")[:2] == ["A (as *)", "30 d"]
        await pilot.press("down", "e")  # the A row
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        field = form.query_one("#f-followup_days")
        field.value = "-5"
        form.query_one("#f-warn_days").value = "soon"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused beside each field, nothing saved
        assert "zero or more" in str(form.query_one("#note-followup_days").content)
        assert "not a whole number" in str(form.query_one("#note-warn_days").content)
        assert db.repos.pool.rules.for_grade("A") is None
        field.value = "25"
        form.query_one("#f-warn_days").value = "7"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert _cells(screen, "A")[:2] == ["A", "25 d"]
    rule = pool.rules(Book(db)).for_grade("A")
    assert rule.followup_days == 25 and rule.reclaim_days == PoolRule().reclaim_days
    assert db.repos.pool.rules.for_grade("A").followup_days == 25  # a row that syncs
    sign_in(db, ALICE)
    assert _going(db) == ["苏州精密"]  # released in 5 days now: inside the warning


async def test_a_rep_sees_the_rules_but_cannot_edit(db, team) -> None:
    sign_in(db, BOSS, "manager")
    pool.set_rule(Book(db), "*", {"cap": 40, "deal_days": 0})
    sign_in(db, ALICE)
    app = Host(db, PoolScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_rules(pilot, app)
        star = _cells(screen, "*")
        assert star[0] == "* (all)" and star[2] == "off" and star[6] == "40"
        assert "read-only" in str(screen.query_one("#rules-title").content)
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is screen  # no form
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert any("only a manager" in str(n.message) for n in app._notifications)
    assert db.repos.pool.rules.for_grade("A") is None


def test_a_new_grade_row_starts_from_the_teams_rule(db, team) -> None:
    """`crm pool-rules --grade A --followup-days 10` (and the screen) change one figure of
    what grade A had: the * row's, not the built-in defaults."""
    sign_in(db, BOSS, "manager")
    book = Book(db)
    pool.set_rule(book, "*", {"warn_days": 14, "deal_days": 60, "exempt_won": False})
    pool.set_rule(book, "A", {"followup_days": 10})
    a = pool.rules(book).for_grade("A")
    assert (a.followup_days, a.warn_days, a.deal_days, a.exempt_won) == (10, 14, 60, False)
