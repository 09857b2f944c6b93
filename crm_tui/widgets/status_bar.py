"""Provides `StatusBar`: profile, signed-in user, pending changes and sync state in one line."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import Static


class SyncStatusChanged(Message):
    """Posted to the app by the sync client when it has news; the status line re-reads."""


@dataclass(frozen=True)
class Status:
    profile: str
    user: str = "local"
    pending: int | None = None
    sync: str = ""
    problem: bool = False

    def render(self) -> str:
        parts = [f"[b]{self.profile}[/b]", self.user]
        if self.pending is not None:
            parts.append(
                "no pending changes"
                if self.pending == 0
                else f"{self.pending:,} pending change{'s' if self.pending != 1 else ''}"
            )
        if self.sync:
            parts.append(f"[$error]{self.sync}[/]" if self.problem else self.sync)
        return " · ".join(parts)


class StatusBar(Static):
    """One line at the bottom of the app; the app feeds it `Status` values."""

    DEFAULT_CSS = """
    StatusBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def show(self, status: Status) -> None:
        self.update(status.render())
