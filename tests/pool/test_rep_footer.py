"""Pilot: a rep's footer on the pool rules and targets screens does not offer the manager's
edit key (review s13, minor: "e Edit grade" / "e Set targets" were shown to a rep who
cannot edit); `e` still tells the rep why, and a manager is offered and gets the form."""

from __future__ import annotations

import pytest

from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pool_rules import PoolRulesScreen
from crm_tui.screens.targets import TargetsScreen
from crm_tui.widgets.footer import CrmFooter
from tests.pool.conftest import ALICE, BOSS, sign_in
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio


def _offered(app) -> list[str]:
    """The footer's keys as drawn: 'e Edit grade', ..."""
    return [f"{k.key_display} {k.description}" for k in app.screen.query_one(CrmFooter).shown]


@pytest.mark.parametrize(
    ("make", "offer", "why"),
    [
        (PoolRulesScreen, "Edit grade", "Read-only: only a manager sets the pool rules"),
        (TargetsScreen, "Set targets", "Only a manager sets targets"),
    ],
)
async def test_a_rep_is_not_offered_the_managers_edit_key(db, make, offer, why) -> None:
    sign_in(db, ALICE)
    app = Host(db, make)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = _offered(app)
        assert any("Back" in k for k in shown), shown  # the footer is drawn
        assert not any(offer in k for k in shown), shown
        await pilot.press("e")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        assert any(why in str(n.message) for n in app._notifications)


async def test_a_manager_is_offered_edit_grade_and_gets_the_form(db) -> None:
    sign_in(db, BOSS, "manager")
    app = Host(db, PoolRulesScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any("Edit grade" in k for k in _offered(app)), _offered(app)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        assert not app._notifications
