"""Provides small modal dialogs: confirm, prompt for a line of text, pick from a list, a date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static

from crm_tui.domain.dates import DateError, parse_date

OTHER = "other…"


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True or False."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; `validate` returns an error message (or None when it is fine).

    The dialog stays open with the text as typed until `validate` accepts it.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        initial: str = "",
        placeholder: str = "",
        validate: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.initial = initial
        self.placeholder = placeholder
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Input(self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-hint", classes="hint")
            yield Static("", id="prompt-error", classes="error")
            yield Static("enter: OK   escape: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()
        self.show_hint(self.initial)

    def hint(self, text: str) -> str:
        """A line under the input that explains what was understood (subclasses)."""
        return ""

    def show_hint(self, text: str) -> None:
        self.query_one("#prompt-hint", Static).update(self.hint(text))

    @on(Input.Changed, "#prompt-input")
    def _changed(self, event: Input.Changed) -> None:
        self.show_hint(event.value)
        self.query_one("#prompt-error", Static).update("")

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.validate(event.value) if self.validate else None
        if error:
            self.query_one("#prompt-error", Static).update(error)
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DatePromptScreen(PromptScreen):
    """Ask for a date the way reps type them (today, fri, +3d, 2026-11-30); shows the date meant.

    Dismisses with the text typed; `parse_date(text, today)` turns it into the date.
    """

    def __init__(self, title: str, today: date, initial: str = "today") -> None:
        super().__init__(title, initial, "today, fri, +3d, 2026-11-30", self._check)
        self.today = today

    def _check(self, text: str) -> str | None:
        try:
            parse_date(text, self.today)
        except DateError as exc:
            return str(exc)
        return None

    def hint(self, text: str) -> str:
        return date_hint(text, self.today)


def date_hint(text: str, today: date) -> str:
    """'→ Fri 2026-11-27' for what a rep typed, or '' when it is not (yet) a date."""
    if not text.strip():
        return ""
    try:
        return "→ " + parse_date(text, today).strftime("%a %Y-%m-%d")
    except DateError:
        return ""


def check_receipt(text: str) -> str | None:
    """An error when a receipt path is given but no such file exists."""
    if text.strip() and not Path(text.strip()).expanduser().is_file():
        return f"no file at {text.strip()}"
    return None


class ChoiceScreen(ModalScreen[tuple[str, str] | None]):
    """Pick one of `choices`, or type another when `allow_other`, plus an optional note.

    Dismisses with (choice, note) or None when cancelled.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "choose", "OK"),
    ]

    def __init__(
        self,
        title: str,
        choices: Sequence[str],
        allow_other: bool = True,
        note: bool = True,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.allow_other = allow_other
        self.with_note = note
        self.chosen: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            options = [*self.choices, OTHER] if self.allow_other else self.choices
            yield OptionList(*options, id="choice-list")
            if self.allow_other:
                yield Input(
                    placeholder="another reason (added to the list)",
                    id="choice-other",
                    compact=True,
                )
            if self.with_note:
                yield Label("Note")
                yield Input(placeholder="optional", id="choice-note", compact=True)
            yield Static("", id="choice-error", classes="error")
            yield Static("enter: pick   ctrl+s: OK   escape: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        options = self.query_one("#choice-list", OptionList)
        options.highlighted = 0
        options.focus()
        if self.allow_other:
            self.query_one("#choice-other", Input).display = False

    @on(OptionList.OptionSelected, "#choice-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        label = str(event.option.prompt)
        self.query_one("#choice-error", Static).update("")
        if label == OTHER:
            other = self.query_one("#choice-other", Input)
            other.display = True
            other.focus()
            return
        self.chosen = label
        if self.with_note:
            self.query_one("#choice-note", Input).focus()
        else:
            self.action_choose()

    @on(Input.Submitted, "#choice-other")
    def _other_typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.with_note:
            self.query_one("#choice-note", Input).focus()
        else:
            self.action_choose()

    @on(Input.Submitted, "#choice-note")
    def _note_typed(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        choice = self.chosen
        if self.allow_other:
            other = self.query_one("#choice-other", Input)
            if other.display and other.value.strip():
                choice = other.value.strip()
        if not choice:
            self.query_one("#choice-error", Static).update("pick one from the list")
            self.query_one("#choice-list", OptionList).focus()
            return
        note = self.query_one("#choice-note", Input).value.strip() if self.with_note else ""
        self.dismiss((choice, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
