"""Provides `HelpScreen`: every key that works on the screen below, with what it does."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_rows(screen: Screen[Any]) -> list[tuple[str, str, str, str]]:
    """(where, key, what, more) for each binding active on `screen`, focused widget first.

    A widget's keys are headed by its `BINDING_GROUP_TITLE` ("The list"), never its class
    name; an action bound to two keys (Textual's ctrl+q and the app's q for Quit) is listed
    once, with the key the footer shows."""
    app = screen.app
    found: dict[tuple[str, str], tuple[tuple[str, str, str, str], bool]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        what = binding.description or binding.action
        node = active.node
        if node is app:
            where = "everywhere"
        elif node is screen:
            where = "this screen"
        else:
            where = getattr(node, "BINDING_GROUP_TITLE", None) or "the focused box"
        ident = (where, what)
        row = (where, app.get_key_display(binding) or key, what, binding.tooltip)
        if ident in found and (found[ident][1] or not binding.show):
            continue  # keep the key the footer shows
        found[ident] = (row, binding.show)
    rows = [row for row, _ in found.values()]
    order = {"everywhere": 2, "this screen": 1}
    rows.sort(key=lambda r: order.get(r[0], 0))
    return rows


class HelpScreen(ModalScreen[None]):
    """A table of every binding; escape or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 1), expand=True, show_header=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what")
        table.add_column("more", style="dim", ratio=1)
        last = None
        for where, key, what, more in binding_rows(self.below):
            if where != last:
                table.add_row(Text(where.capitalize(), style="bold underline"), "", "")
                last = where
            table.add_row(key, what, more)
        if not any(
            b.binding.action == "command_palette" for b in self.below.active_bindings.values()
        ):
            table.add_row("", "", "")
            table.add_row("ctrl+p", "Command palette", "every action, and go to a customer by name")
        with Vertical(id="help"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            with VerticalScroll():
                yield Static(table, classes="help-table")
            yield Static("escape closes", id="help-keys")
