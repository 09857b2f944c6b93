"""Provides `CrmFooter`: Textual's footer of keys with `? Help` docked right beside the
palette, so a narrow terminal (80 columns) cuts the screen's keys, never the way to help."""

from __future__ import annotations

from textual.app import ComposeResult
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

    def compose(self) -> ComposeResult:
        docked: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action == HELP_ACTION:
                widget.add_class("-help")
                docked.append(widget)
            else:
                yield widget
        yield from docked
