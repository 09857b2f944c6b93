"""Pilot: a manager sets a rep's monthly targets from the targets screen (issue 18 item 7,
as `crm targets set` does) — a non-number is refused beside its field, money is typed as
reps type it (50万), and the screen shows the new target; a rep cannot set targets."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from crm_tui.domain.money import parse_money
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import ChoiceScreen
from crm_tui.screens.targets import TargetsScreen
from crm_tui.services import targets
from crm_tui.services.book import Book
from tests.pool.conftest import ALICE, BOSS, sign_in
from tests.tui.pilot import settle
from tests.tui.support_b import Host

pytestmark = pytest.mark.anyio


def _text(widget) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


@pytest.fixture
def team(db):
    for uid, name, role in ((ALICE, "alice", "rep"), (BOSS, "boss", "manager")):
        with db.transaction() as s:
            db.repos.users.apply_remote(
                s, uid, {"fields": {"name": name, "role": role}, "owner_id": uid}, version=1
            )


async def test_a_manager_sets_a_reps_targets_in_the_app(db, team) -> None:
    sign_in(db, BOSS, "manager")
    month = f"{db.clock.today():%Y-%m}"
    app = Host(db, TargetsScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")  # team, alice, boss: alice
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm) and "alice" in form.form_title
        form.query_one("#f-won").value = "50万"
        form.query_one("#f-visits").value = "forty"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "not a whole number" in str(form.query_one("#note-visits").content)
        assert targets.current_target(Book(db), "alice", month) is None  # nothing saved
        form.query_one("#f-visits").value = "40"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        shown = _text(screen.query_one("#targets"))
        assert "alice" in shown and "40" in shown
    made = targets.current_target(Book(db), "alice", month)
    currency = Book(db).input_context.currency
    assert made.visits == 40 and made.won == parse_money("50万", currency)[0]
    assert made.user_id == ALICE

    # Editing again starts from what is set; only a changed figure is written.
    app = Host(db, TargetsScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e", "down", "enter")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#f-visits").value == "40"
        form.query_one("#f-visits").value = "45"
        await pilot.press("ctrl+s")
        await settle(pilot)
    again = targets.current_target(Book(db), "alice", month)
    assert again.visits == 45 and again.won == made.won


async def test_a_rep_cannot_set_targets(db, team) -> None:
    sign_in(db, ALICE)
    app = Host(db, TargetsScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TargetsScreen)
        assert any("Only a manager" in str(n.message) for n in app._notifications)
    assert db.repos.pool.targets.count() == 0
