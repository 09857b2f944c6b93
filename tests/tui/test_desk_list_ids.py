"""A desk panel may list one record twice (two instalments of one contract due): both lines
show and the panel does not fail (a failing panel used to stop every panel after it)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from crm_tui.screens.desk import DeskItem, DeskList

pytestmark = pytest.mark.anyio


class _Panel(App):
    def compose(self) -> ComposeResult:
        yield DeskList(id="payments")


async def test_two_lines_of_one_contract_both_show() -> None:
    app = _Panel()
    async with app.run_test() as pilot:
        panel = app.query_one(DeskList)
        panel.show(
            [
                DeskItem("contract", "c1", "3d late", "华信 ¥50,000.00", "HT-2026-0001 1/3"),
                DeskItem("contract", "c1", "Fri 12-11", "华信 ¥50,000.00", "HT-2026-0001 2/3"),
            ],
            "",
        )
        await pilot.pause()
        assert panel.option_count == 2
        panel.highlighted = 1
        assert panel.current_item == ("contract", "c1")
