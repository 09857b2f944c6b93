"""Pilot: the desk's "This month against targets" panel names each row and shows its figures
whole at 120x40 (half width) and 80x24 (review s13 #3: the label column was squeezed to
nothing and the money cut off as ¥3,000,000.…)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from crm_tui.services import targets
from crm_tui.services.book import Book
from tests.pool.conftest import ALICE, BOSS, sign_in
from tests.pool.test_pool_tui import team  # noqa: F401  (fixture: alice, bob and boss)
from tests.tui.pilot import settle

pytestmark = pytest.mark.anyio


def _shown(widget) -> list[str]:
    """The panel's lines as drawn at its own width."""
    console = Console(width=widget.content_region.width, record=True, file=io.StringIO())
    console.print(widget.content)
    return [line for line in console.export_text().splitlines() if line.strip()]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_desk_targets_panel_names_its_rows(db, team, size) -> None:  # noqa: F811
    from crm_tui.app import make_app
    from crm_tui.screens.desk import DeskScreen

    sign_in(db, BOSS, "manager")
    month = f"{db.clock.today():%Y-%m}"
    targets.set_target(
        Book(db), "alice", month, won="3000000", new_customers=40, visits=60, payments="2000000"
    )
    sign_in(db, ALICE)
    app = make_app(db)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        numbers = app.screen.query_one("#numbers")
        for _ in range(100):  # the panel fills in after the desk's first paint
            if numbers.border_title == "This month against targets":
                break
            await pilot.pause()
        assert numbers.border_title == "This month against targets"
        lines = _shown(numbers)
    assert len(lines) == 5, lines  # the header and the four figures
    names = (
        ("Won", "Amount won"),
        ("New cust.", "New customers"),
        ("Visits",),
        ("Collected", "Payments collected"),
    )
    for line, label in zip(lines[1:], names, strict=True):
        assert line.strip().startswith(label), lines  # short where the panel is half width
    assert not any("…" in line for line in lines), lines  # nothing cut off
    assert "40" in lines[2] and "60" in lines[3]
    assert any(money in lines[1] for money in ("¥3.0M", "¥3,000,000")), lines
    assert "0%" in lines[4]
