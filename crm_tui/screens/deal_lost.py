"""Provides `LostDialog`: why a deal was lost, picked from the team's reasons.

The highlighted reason IS the choice: it is marked (●) and named on the "Lost because" line,
and the arrow keys change it until the rep confirms, also while typing the note (a reason
picked with enter and then changed with the arrows used to save the first one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

OTHER = "other…"


class LostDialog(ModalScreen[tuple[str, str] | None]):
    """Pick the reason (or type another) and an optional note; dismisses with (reason, note)
    or None on escape."""

    DEFAULT_CSS = """
    LostDialog { align: center middle; background: $background 60%; }
    LostDialog > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    LostDialog .dialog-title { text-style: bold; margin-bottom: 1; }
    LostDialog #lost-reasons { height: auto; max-height: 10; }
    LostDialog #lost-chosen { text-style: bold; margin-top: 1; }
    LostDialog .dialog-keys { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "confirm", "Lost"),
        Binding("up", "reason(-1)", "Previous reason", show=False, priority=True),
        Binding("down", "reason(1)", "Next reason", show=False, priority=True),
    ]

    def __init__(self, title: str, reasons: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.reasons = [*reasons, OTHER]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(*self._options(0), id="lost-reasons")
            yield Input(placeholder="another reason (added to the list)", id="lost-other")
            yield Label("Note")
            yield Input(placeholder="optional", id="lost-note", compact=True)
            yield Static("", id="lost-chosen")
            yield Static(
                "↑↓ reason · tab note · enter/ctrl+s mark lost · escape cancel",
                classes="dialog-keys",
            )

    def _options(self, chosen: int) -> list[Option]:
        return [
            Option(Text(("● " if i == chosen else "○ ") + reason), id=f"r{i}")
            for i, reason in enumerate(self.reasons)
        ]

    @property
    def _list(self) -> OptionList:
        return self.query_one("#lost-reasons", OptionList)

    @property
    def chosen(self) -> str:
        """The reason that will be saved: the highlighted one (or the one typed)."""
        index = self._list.highlighted or 0
        reason = self.reasons[index]
        if reason == OTHER:
            return self.query_one("#lost-other", Input).value.strip()
        return reason

    def on_mount(self) -> None:
        self._list.highlighted = 0
        self._list.focus()
        self.query_one("#lost-other", Input).display = False
        self._mark()

    def _mark(self) -> None:
        index = self._list.highlighted or 0
        for i, reason in enumerate(self.reasons):
            self._list.replace_option_prompt_at_index(
                i, Text(("● " if i == index else "○ ") + reason)
            )
        other = self.query_one("#lost-other", Input)
        other.display = self.reasons[index] == OTHER
        chosen = self.chosen
        self.query_one("#lost-chosen", Static).update(
            f"Lost because: {chosen}" if chosen else "Lost because: (type the reason)"
        )

    @on(OptionList.OptionHighlighted, "#lost-reasons")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._mark()

    @on(Input.Changed, "#lost-other")
    def _other_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._mark()

    def action_reason(self, step: int) -> None:
        options = self._list
        index = (options.highlighted or 0) + step
        options.highlighted = max(0, min(index, len(self.reasons) - 1))

    @on(OptionList.OptionSelected, "#lost-reasons")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.reasons[event.option_index] == OTHER and not self.chosen:
            self.query_one("#lost-other", Input).focus()
            return
        self.action_confirm()

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        reason = self.chosen
        if not reason:
            self.query_one("#lost-chosen", Static).update("Type the reason first.")
            self.query_one("#lost-other", Input).focus()
            return
        self.dismiss((reason, self.query_one("#lost-note", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
