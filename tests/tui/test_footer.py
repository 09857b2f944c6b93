"""The footer (widgets/footer.py, one widget for every key): a click on a dimmed key rings
the bell and runs nothing, a click on a live key runs it, and however narrow the terminal
`? Help` stays in view while the screen's last keys go (whole keys, never half of one)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from crm_tui.widgets.footer import CrmFooter
from tests.tui.pilot import until

pytestmark = pytest.mark.anyio


class Keys(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "go", "Go on", tooltip="Runs it"),
        Binding("b", "blocked", "Blocked"),
        Binding("c", "third", "A third key"),
        Binding("d", "fourth", "And a fourth"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield CrmFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "blocked" else True  # None: shown dimmed, not run

    def action_go(self) -> None:
        self.ran.append("go")

    def action_blocked(self) -> None:
        self.ran.append("blocked")

    def action_help(self) -> None:
        self.ran.append("help")


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.bells = 0

    def on_mount(self) -> None:
        self.push_screen(Keys())

    def bell(self) -> None:
        self.bells += 1


async def test_a_dimmed_key_rings_the_bell_and_a_live_one_runs() -> None:
    app = Host()
    async with app.run_test(size=(100, 10)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, Keys))
        footer = app.screen.query_one(CrmFooter)
        assert await until(pilot, lambda: footer.span_of("blocked") and footer.span_of("go"))
        blocked = footer.span_of("blocked")
        go = footer.span_of("go")
        assert blocked and go
        assert [k.enabled for k in footer.shown if k.action == "blocked"] == [False]
        await pilot.click(CrmFooter, offset=(blocked[0] + 1, 0))
        await pilot.pause()
        assert app.bells == 1 and app.screen.ran == []
        await pilot.click(CrmFooter, offset=(go[0] + 1, 0))
        assert await until(pilot, lambda: app.screen.ran == ["go"])
        await pilot.hover(CrmFooter, offset=(go[0] + 1, 0))
        assert footer.tooltip == "Runs it"


@pytest.mark.parametrize("width", [60, 40, 24])
async def test_however_narrow_help_stays_and_keys_go_whole(width: int) -> None:
    app = Host()
    async with app.run_test(size=(width, 10)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, Keys))
        footer = app.screen.query_one(CrmFooter)
        assert await until(pilot, lambda: footer.span_of("help") is not None)
        line = str(footer.render())
        assert len(line) <= width
        assert line.rstrip().endswith("? Help")
        help_at = footer.span_of("help")
        assert help_at is not None and help_at[1] <= width
        shown = [k.description for k in footer.shown if k.action != "help" and k.description]
        for description in shown:  # every key drawn is drawn whole
            assert description in line
        assert len(shown) < 4  # the last keys gave way
        await pilot.click(CrmFooter, offset=(help_at[0] + 1, 0))
        assert await until(pilot, lambda: app.screen.ran == ["help"])


async def test_a_form_over_a_list_shows_its_own_keys_in_the_footer(app) -> None:  # noqa: ANN001
    """Review s15 W6: under a form, the footer listed the list's keys (`n New`, `e Edit`),
    which type into the form instead; it shows the form's keys while the form is open."""
    from crm_tui.screens.forms import RecordForm
    from tests.tui.pilot import settle

    def drawn() -> list[str]:
        footer = app.screen_stack[-2 if isinstance(app.screen, RecordForm) else -1].query_one(
            CrmFooter
        )
        return [f"{k.key_display} {k.description}".strip() for k in footer.keys]

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        listed = drawn()
        assert "n New" in listed
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, RecordForm))
        assert await until(pilot, lambda: "^s Save" in drawn())
        assert "esc Cancel" in drawn() and "n New" not in drawn()
        await pilot.press("escape")
        assert await until(pilot, lambda: not isinstance(app.screen, RecordForm))
        assert await until(pilot, lambda: drawn() == listed)
