"""Snapshots of the desk, customers, a customer's detail and follow-ups at 80x24 and 120x40.

Fixed data, fixed clock (Monday 2026-11-23 10:00, Asia/Shanghai), cursor blink off.
Regenerate with `pytest tests/tui/test_snapshots_a.py --snapshot-update` and look at them.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.pilot import settle

SIZES = [(80, 24), (120, 40)]


def _steady(app) -> None:  # noqa: ANN001
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


async def _go(pilot, *keys: str) -> None:  # noqa: ANN001
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    _steady(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_desk(snap_compare, app, size):
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _go(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_customers(snap_compare, app, size):
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _go(pilot, "2", "down")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_customer_detail(snap_compare, app, size):
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _go(pilot, "2", "enter")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_followups(snap_compare, app, size):
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _go(pilot, "3")

    assert snap_compare(app, terminal_size=size, run_before=run_before)
