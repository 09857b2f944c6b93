"""Provides the baseline for cold start: an empty Textual app painting one line."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Empty(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("bench-empty-ready")


if __name__ == "__main__":
    Empty().run()
