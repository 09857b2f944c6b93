"""Snapshots of the deals (list and board), expenses and the deal form at 80x24 and 120x40.

A small fixed data set (support_b.seed) on a fixed clock; update with --snapshot-update
after a deliberate change and look at the SVGs.
"""

from __future__ import annotations

import pytest

from crm_tui.screens.expenses import ExpensesScreen
from crm_tui.screens.opportunities import OpportunitiesScreen

from .pilot import settle
from .support_b import Host, make_db

SIZES = [(80, 24), (120, 40)]


def host(tmp_path, screen):
    return Host(make_db(tmp_path), screen)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_deals_list(snap_compare, tmp_path, size):
    assert snap_compare(host(tmp_path, OpportunitiesScreen), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_deals_board(snap_compare, tmp_path, size):
    async def board(pilot) -> None:
        await settle(pilot)
        await pilot.press("b", "right", "right", "down")
        await settle(pilot)

    assert snap_compare(host(tmp_path, OpportunitiesScreen), terminal_size=size, run_before=board)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_expenses_list(snap_compare, tmp_path, size):
    assert snap_compare(host(tmp_path, ExpensesScreen), terminal_size=size, run_before=settle)


def test_new_deal_form_at_80x24(snap_compare, tmp_path):
    async def form(pilot) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        for widget in pilot.app.screen.query("Input"):
            widget.cursor_blink = False  # a blinking cursor would make the snapshot flaky
        await pilot.press("tab", "ctrl+s")
        await settle(pilot)

    assert snap_compare(
        host(tmp_path, OpportunitiesScreen), terminal_size=(80, 24), run_before=form
    )
