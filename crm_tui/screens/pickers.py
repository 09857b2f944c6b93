"""Provides small modal dialogs: confirm, prompt for a line of text, pick from a list, a date."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.screen import ModalScreen


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True or False."""

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; `validate` returns an error message or None."""

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


class ChoiceScreen(ModalScreen[tuple[str, str] | None]):
    """Pick one of `choices` (or type another) plus an optional note."""

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
