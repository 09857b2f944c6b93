"""Provides `CheckInDialog`, the visit check-in dialog (拜访签到, issue 18): where the rep is
(`LAT,LNG` and/or a place) and photos to attach — file paths, several separated by spaces
(quote one with spaces), the path under the cursor completed as typed (→ takes it). Each
photo is checked before anything is saved (there, within the file limits, an image); a
refusal shows under its field and the dialog stays open with what was typed.

The save runs in a worker (photos are copied in); it is `services.checkins.check_in`, the
call `crm checkin --photo` makes, so a check-in and its photos are saved all or nothing.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Static

from crm_tui.domain.fields import ValidationErrors
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import checkins


def split_photos(text: str) -> list[str]:
    """'a.jpg "my photo.png"' -> ['a.jpg', 'my photo.png']; raises ValueError on an
    unclosed quote."""
    try:
        if os.sep == "\\":  # Windows: a backslash is a path's, not an escape
            return [part.strip('"') for part in shlex.split(text, posix=False)]
        return shlex.split(text)
    except ValueError:
        raise ValueError("a quote is not closed") from None


def complete_path(value: str) -> str | None:
    """`value` with the path being typed at its end completed to the first file or folder
    that starts with it (folders end in /), or None."""
    if not value or value.endswith(" "):
        return None
    quoted = value.count('"') % 2 == 1
    start = value.rindex('"') + 1 if quoted else value.rfind(" ") + 1
    word = value[start:]
    if not word:
        return None
    typed = Path(word).expanduser()
    folder, stem = (typed, "") if word.endswith("/") else (typed.parent, typed.name)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for name in names:
        if not name.startswith(stem) or (name.startswith(".") and not stem.startswith(".")):
            continue
        rest = name[len(stem) :] + ("/" if (folder / name).is_dir() else "")
        return value + rest if rest else None
    return None


class PathSuggester(Suggester):
    """Completes the last path typed (listing one folder: cheap, and never cached, so a
    photo saved a moment ago shows)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)


def _messages(exc: Exception) -> dict[str, str]:
    errors = getattr(exc, "errors", None)
    if not errors:
        return {"": str(exc)}
    found: dict[str, str] = {}
    for e in errors:
        key = "photo" if e.field == "photo" else ""
        found[key] = "; ".join(filter(None, (found.get(key), e.message)))
    return found


class CheckInDialog(PromptScreen):
    """Where and photos; dismisses with what `save(where, photos)` returned, None on escape."""

    def __init__(
        self,
        book: Any,
        save: Callable[[str, list[str]], Any],
        *,
        check_where: Callable[[str], str | None] | None = None,
        placeholder: str = "",
    ) -> None:
        super().__init__("Check in: where are you?", placeholder=placeholder)
        self.book = book
        self.save = save
        self.check_where = check_where
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Input(self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-hint", classes="hint")
            yield Static("", id="prompt-error", classes="error")
            yield Static("Photos (optional)", classes="hint")
            yield Input(
                placeholder="~/Pictures/门头.jpg  (space between several; → completes)",
                id="photos",
                suggester=PathSuggester(),
            )
            yield Static("", id="photos-error", classes="error")
            yield Static(
                "enter: check in   tab: next   →: complete a path   escape: cancel",
                classes="dialog-keys",
            )

    @on(Input.Changed, "#photos")
    def _photos_changed(self, event: Input.Changed) -> None:
        self.query_one("#photos-error", Static).update("")

    def _show(self, problems: dict[str, str]) -> None:
        self.saving = False
        self.query_one("#prompt-error", Static).update(problems.get("", ""))
        self.query_one("#photos-error", Static).update(problems.get("photo", ""))
        if "photo" in problems:
            self.query_one("#photos", Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # not PromptScreen's one-line submit
        if self.saving:
            return
        where = self.query_one("#prompt-input", Input).value
        problems: dict[str, str] = {}
        wrong = self.check_where(where) if self.check_where else None
        if wrong:
            problems[""] = wrong
        try:
            photos = split_photos(self.query_one("#photos", Input).value)
        except ValueError as exc:
            photos, problems["photo"] = [], str(exc)
        if problems:
            self._show(problems)
            return
        self.saving = True
        self._save(where, photos)

    @work(thread=True, exclusive=True, group="checkin-save", exit_on_error=False)
    def _save(self, where: str, photos: list[str]) -> None:
        refused = []
        for photo in photos:  # every photo's refusal at once, before anything is saved
            try:
                checkins.check_photo(self.book, photo)
            except ValidationErrors as exc:
                refused.extend(e.message for e in exc.errors)
        if refused:
            self.app.call_from_thread(self._show, {"photo": "; ".join(refused)})
            return
        try:
            made = self.save(where, photos)
        except Exception as exc:  # a refusal the rep reads where it belongs
            self.app.call_from_thread(self._show, _messages(exc))
            return
        self.app.call_from_thread(self.dismiss, made)
