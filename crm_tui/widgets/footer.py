"""Provides `CrmFooter`: Textual's footer of keys with `? Help` docked right beside the
palette, so a narrow terminal (80 columns) cuts the screen's keys, never the way to help.

It also costs less than Textual's own: its keys are there at the first compose (Textual's
footer mounts empty and recomposes once the screen publishes its bindings, a second layout
before the first frame), it rebuilds only when the keys it shows change (not on every
focus move), and each key is built in its final style (no class flip as it mounts).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTION = "help"


class CrmFooter(Footer):
    """The footer; the help key always shows (issue 13 item 21)."""

    DEFAULT_CSS = """
    CrmFooter FooterKey.-help {
        dock: right;
        padding-right: 1;
    }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The screen's bindings are known when the footer composes: no empty first pass.
        self.set_reactive(Footer._bindings_ready, True)
        self._shown: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """What compose shows: each shown binding with its state, and the palette's."""
        active = self.screen.active_bindings
        shown = tuple(
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        return shown, palette, self.show_command_palette, self.compact

    def compose(self) -> ComposeResult:
        self._shown = self._keys()
        docked: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Textual's key starts compact and is then bound to the footer's setting:
                # two class flips (each a restyle) per key as it mounts.
                widget.set_reactive(FooterKey.compact, self.compact)
                if widget.action == HELP_ACTION:
                    widget.add_class("-help")
                    docked.append(widget)
                    continue
            yield widget
        yield from docked

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if self.is_attached and self._keys() != self._shown:
            await self.recompose()
