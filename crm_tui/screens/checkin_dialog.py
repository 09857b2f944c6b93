"""Provides `CheckInDialog`, the visit check-in dialog (拜访签到, issue 18): where the rep is
(`LAT,LNG` and/or a place) and photos to attach — file paths, several separated by spaces
(quote one with spaces, or escape them: my\\ photo.png), the path under the cursor completed
as typed (→ takes it, escaping a space so the completed path saves as it reads). Each
photo is checked before anything is saved (there, within the file limits, an image); a
refusal shows under its field and the dialog stays open with what was typed.

The save runs in a worker (photos are copied in); it is `services.checkins.check_in`, the
call `crm checkin --photo` makes, so a check-in and its photos are saved all or nothing.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.suggester import Suggester
from textual.widgets import Input, Static

from crm_tui.domain.fields import ValidationErrors
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import checkins

_POSIX = os.sep != "\\"  # on Windows a backslash is a path's, not an escape
_SPECIAL = frozenset(" \t\n\"'\\")  # what shlex.split would take apart or eat


def split_photos(text: str) -> list[str]:
    """'a.jpg "my photo.png"' -> ['a.jpg', 'my photo.png']; raises ValueError on an
    unclosed quote."""
    try:
        if not _POSIX:
            return [part.strip('"') for part in shlex.split(text, posix=False)]
        return shlex.split(text)
    except ValueError:
        raise ValueError("a quote is not closed") from None


def _last_word(value: str) -> tuple[str, str] | None:
    """The path being typed at the end of `value` as `split_photos` will read it, and the
    quote it is inside ('"', "'" or ""); None when `value` ends between words."""
    word: list[str] = []
    quote, started, i = "", False, 0
    while i < len(value):
        c = value[i]
        if quote == "'" or (quote == '"' and not _POSIX):
            if c == quote:
                quote = ""
            else:
                word.append(c)
        elif quote == '"':
            if c == "\\" and i + 1 < len(value) and value[i + 1] in '"\\$`':
                i += 1
                word.append(value[i])
            elif c == '"':
                quote = ""
            else:
                word.append(c)
        elif c.isspace():
            word, started = [], False
        elif c == "\\" and _POSIX and i + 1 < len(value):
            i += 1
            word.append(value[i])
            started = True
        elif c in "\"'":
            quote, started = c, True
        else:
            word.append(c)
            started = True
        i += 1
    return ("".join(word), quote) if started or quote else None


def _typed(rest: str, quote: str) -> str | None:
    """`rest` of a file name as it must be typed after an open `quote` (or none) so that
    `split_photos` reads it back; None if it cannot be (a ' inside '...')."""
    if quote == "'":
        return None if "'" in rest else rest
    if quote == '"':
        return re.sub(r'(["\\$`])', r"\\\1", rest) if _POSIX else rest
    if not _POSIX:  # no escape character here: only a quote typed first keeps a space
        return None if any(c.isspace() or c == '"' for c in rest) else rest
    return "".join("\\" + c if c in _SPECIAL or c.isspace() else c for c in rest)


def complete_path(value: str) -> str | None:
    """`value` with the path being typed at its end completed to the first file or folder
    that starts with it (folders end in /), or None. The completion is written so that
    `split_photos` reads it back as one path: a space in a name is escaped (my\\ photo.png,
    as a terminal writes a dropped file) and an open quote is closed after a file."""
    found = _last_word(value)
    if found is None or not found[0]:
        return None
    word, quote = found
    typed = Path(word).expanduser()
    folder, stem = (typed, "") if word.endswith(("/", os.sep)) else (typed.parent, typed.name)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for name in names:
        if not name.startswith(stem) or (name.startswith(".") and not stem.startswith(".")):
            continue
        is_dir = (folder / name).is_dir()
        rest = _typed(name[len(stem) :], quote)
        if rest is None:
            return None
        rest += "/" if is_dir else quote  # a file ends the path: close its quote
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

    KEYS = "enter: check in   tab: next   →: complete a path   escape: cancel"

    def extra_fields(self) -> ComposeResult:
        yield Static("Photos (optional)", classes="hint")
        yield Input(
            placeholder="~/Pictures/门头.jpg  (space between several; → completes)",
            id="photos",
            suggester=PathSuggester(),
        )
        yield Static("", id="photos-error", classes="error")

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
