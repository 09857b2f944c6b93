"""Provides small modal dialogs (confirm, prompt for a line of text, pick from a list, a date)
and `RefPicker`, the name picker forms use for reference fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from crm_tui.domain.dates import DateError, parse_date
from crm_tui.services import lookups

if TYPE_CHECKING:
    from crm_tui.services.book import Book

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
            yield from self.extra_fields()
            yield Static(self.KEYS, classes="dialog-keys")

    KEYS = "enter: OK   escape: cancel"

    def extra_fields(self) -> ComposeResult:
        """Fields a dialog built on this one adds below the prompt (none here)."""
        return iter(())

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


class RefPicker(Vertical):
    """Type part of a name, pick the record from the list under it; the value is its id.

    Each keystroke asks for candidates in a thread worker (a newer keystroke supersedes the
    older search), so typing never waits on SQLite; the list shows what the newest text found.
    """

    DEFAULT_CSS = """
    RefPicker { height: auto; }
    RefPicker > OptionList { height: auto; max-height: 6; display: none; }
    RefPicker.-open > OptionList { display: block; }
    """

    def __init__(self, book: Book, entity: str, value: str, *, id: str) -> None:
        super().__init__(id=id)
        self.book = book
        self.entity = entity
        self.value = value
        self.shown_for: str | None = None  # the text whose matches the list shows
        self.label_text = ""  # the chosen record's name; read in a worker on mount

    def compose(self) -> ComposeResult:
        yield Input(self.label_text, placeholder="type to search by name", compact=True)
        options = OptionList(compact=True)
        options.can_focus = False
        yield options

    def on_mount(self) -> None:
        if self.value:
            self._read_label(self.value)

    @work(thread=True, group="ref-label", exit_on_error=False)
    def _read_label(self, row_id: str) -> None:
        name = lookups.label(self.book, self.entity, row_id)
        self.app.call_from_thread(self._show_label, row_id, name)

    def _show_label(self, row_id: str, name: str) -> None:
        if self.value != row_id or self.input.value:
            return  # the rep has typed or picked since
        self.label_text = name
        with self.input.prevent(Input.Changed):
            self.input.value = name

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value == self.label_text and self.value:
            return
        self.value = ""
        self.label_text = ""
        if not event.value.strip():
            self.show_found(event.value, [])
            return
        self._search(event.value)

    @work(thread=True, exclusive=True, group="ref-picker", exit_on_error=False)
    def _search(self, text: str) -> None:
        found = lookups.candidates(self.book, self.entity, text)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_found, text, found)

    def show_found(self, text: str, found: list[tuple[str, str]]) -> None:
        """Fill the list with what `text` found, unless the rep has typed on since."""
        if text != self.input.value or self.value:
            return
        self.shown_for = text
        self.options.clear_options()
        for row_id, name in found:
            self.options.add_option(Option(Text(name), id=row_id))
        if found:
            self.options.highlighted = 0
        self.set_class(bool(found), "-open")

    def on_key(self, event: Any) -> None:
        if not self.has_class("-open"):
            return
        if event.key == "down":
            self.options.action_cursor_down()
            event.stop()
        elif event.key == "up":
            self.options.action_cursor_up()
            event.stop()
        elif event.key == "escape":
            self.remove_class("-open")
            event.stop()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        text = self.input.value
        if not self.value and text.strip() and self.shown_for != text:
            # Enter came before the worker's answer for this text: ask once, here, so enter
            # still picks the first match as it would a moment later (one query per enter).
            self.show_found(text, lookups.candidates(self.book, self.entity, text))
        if self.has_class("-open") and self.options.highlighted is not None:
            event.stop()
            option = self.options.get_option_at_index(self.options.highlighted)
            self.choose(str(option.id), str(option.prompt))

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(str(event.option.id), str(event.option.prompt))

    def choose(self, row_id: str, name: str) -> None:
        self.value = row_id
        self.label_text = name
        with self.input.prevent(Input.Changed):
            self.input.value = name
        self.remove_class("-open")

    def resolved(self) -> str:
        """The chosen id; a typed name that names exactly one record counts as chosen."""
        text = self.input.value.strip()
        if self.value or not text:
            return self.value
        try:
            return lookups.resolve(self.book, self.entity, text)
        except LookupError as exc:
            raise ValueError(f"{exc}; pick one from the list") from None
