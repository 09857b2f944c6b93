"""Provides `QueryBar`: the `/` bar that filters a list as the rep types.

It posts `QueryBar.QueryChanged` once typing pauses (~80 ms; a newer query replaces an
older one still queued), keeps a per-screen history (up/down), completes field names and
values with tab, and shows a refused query's error inline while the list keeps its rows.
The bar never compiles or runs the query: the screen does, and calls `show_error`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol

from textual import on
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

ValuesFor = Callable[[str, str], Sequence[str]]
"""(field as typed, prefix) -> values in use, e.g. cities or tags."""


class HistoryStore(Protocol):
    def load(self, screen: str) -> list[str]: ...

    def add(self, screen: str, query: str) -> None: ...


def mid_token(text: str) -> bool:
    """Whether the query ends in a token the rep is surely still typing, not worth running:
    a field name and operator with no value yet ('city:'), or one Latin letter or digit (a
    one-letter prefix search matches most of the book and is the slowest query there is).
    """
    if not text or text[-1].isspace():
        return False
    token = text.split()[-1].lstrip("-")
    if len(token) == 1 and token.isascii() and token.isalnum():
        return True
    from crm_tui.services.views import OPERATORS  # the ORM is loaded by the time one types

    return any(token.endswith(op) for op in OPERATORS) and token.rstrip("<>=!:").isidentifier()


def _common_prefix(words: Sequence[str]) -> str:
    return os.path.commonprefix([w.lower() for w in words])


class QueryBar(Input):
    """A one-line query with history, tab completion and an inline error."""

    DEFAULT_CSS = """
    QueryBar.-error { border: tall $error; }
    """

    BINDINGS = [
        Binding("up", "history(-1)", "Older query", show=False, id="query_bar.history_back"),
        Binding("down", "history(1)", "Newer query", show=False, id="query_bar.history_forward"),
        Binding("tab", "complete", "Complete", show=False, priority=True, id="query_bar.complete"),
    ]
    """up/down walk this screen's past queries; tab completes a field name or a value."""

    class QueryChanged(Message):
        """The query to run now; posted after a short pause in typing, or on enter."""

        def __init__(self, bar: QueryBar, text: str) -> None:
            super().__init__()
            self.bar = bar
            self.text = text

        @property
        def control(self) -> QueryBar:
            return self.bar

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, QueryBar.QueryChanged) and message.bar is self.bar

    class Entered(Message):
        """Enter in the bar: the query ran; the screen moves focus to its list."""

        def __init__(self, bar: QueryBar) -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> QueryBar:
            return self.bar

    HINT = "  (enter: run, then the list)"

    def __init__(
        self,
        value: str = "",
        *,
        entity: str = "customer",
        screen_key: str = "",
        values: ValuesFor | None = None,
        history: HistoryStore | None = None,
        debounce: float = 0.08,
        placeholder: str = "/ filter: city:北京 grade:A +vip",
        **kwargs: object,
    ) -> None:
        super().__init__(value, placeholder=placeholder, **kwargs)  # type: ignore[arg-type]
        self.entity = entity
        self.screen_key = screen_key or entity
        self.values_for = values
        self.history_store = history
        self.debounce = debounce
        self.error: str | None = None
        self._timer: Timer | None = None
        self._history: list[str] = []
        self._history_pos: int | None = None
        self._draft = ""
        self._cycle: tuple[str, int, int, list[str], int] | None = None
        self._last_sent: str | None = value or None  # an opening query is already applied

    def on_mount(self) -> None:
        if self.history_store is not None:
            self._history = self.history_store.load(self.screen_key)

    def _watch_value(self, value: str) -> None:
        # Input sets `virtual_size` (a reactive that lays the whole screen out again) to the
        # text's width on every key, so each keystroke re-arranged and repainted the list
        # screen, 38 table rows included, before its echo. The bar's own size is fixed by
        # CSS: its scroll width is updated without the layout, then Input does the rest.
        size = Size(self.content_width, 1)
        if size != self.virtual_size:
            self.set_reactive(Input.virtual_size, size)
            self._scroll_update(size)
        super()._watch_value(value)

    # --- posting the query ------------------------------------------------------------------
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, self._send)

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        if event.input is not self:
            return
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._send(force=True)
        self.remember(self.value)
        self.post_message(self.Entered(self))

    def sent(self, text: str) -> None:
        """The screen applied `text` itself: the pending keystroke timer is dropped."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._last_sent = text

    def validate_placeholder(self, placeholder: str) -> str:
        """Every bar says what enter does (issue 13 item 12)."""
        return placeholder if placeholder.endswith(self.HINT) else placeholder + self.HINT

    def _send(self, force: bool = False) -> None:
        self._timer = None
        if not force and mid_token(self.value):
            return  # enter still runs it
        if force or self.value != self._last_sent:
            self._last_sent = self.value
            self.post_message(self.QueryChanged(self, self.value))

    # --- errors -------------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        """Show why the query was refused, beside the bar; the list keeps its rows."""
        self.error = message
        self.border_subtitle = message
        self.add_class("-error")

    def clear_error(self) -> None:
        if self.error is None and not self.has_class("-error"):
            return  # (setting the subtitle repaints the bar: not on every query)
        self.error = None
        self.border_subtitle = None
        self.remove_class("-error")

    # --- history --------------------------------------------------------------------------
    def remember(self, query: str) -> None:
        query = query.strip()
        if not query:
            return
        self._history = [q for q in self._history if q != query] + [query]
        self._history_pos = None
        if self.history_store is not None:
            self.history_store.add(self.screen_key, query)

    @property
    def history(self) -> list[str]:
        return list(self._history)

    def action_history(self, step: int) -> None:
        if not self._history:
            return
        if self._history_pos is None:
            if step > 0:
                return
            self._draft = self.value
            pos = len(self._history) - 1
        else:
            pos = self._history_pos + step
        if pos >= len(self._history):
            self._history_pos = None
            self._set(self._draft)
            return
        self._history_pos = max(0, pos)
        self._set(self._history[self._history_pos])

    def _set(self, value: str) -> None:
        self.value = value
        self.cursor_position = len(value)

    # --- completion -----------------------------------------------------------------------
    def candidates(self, token: str) -> tuple[int, list[str]]:
        """Completions for the token being typed: (offset in token being replaced, options)."""
        from crm_tui.services.views import OPERATORS, vocabulary

        vocab = vocabulary(self.entity)
        lead = 1 if token[:1] in "-+" else 0
        body = token[lead:]
        for op in OPERATORS:
            if op in body:
                field, _, rest = body.partition(op)
                start = lead + len(field) + len(op)
                if "," in rest:
                    start += rest.rindex(",") + 1
                    rest = rest[rest.rindex(",") + 1 :]
                neg = 1 if rest.startswith("-") else 0
                prefix = rest[neg:]
                found = list(vocab.values(field))
                if self.values_for is not None:
                    try:
                        found += [v for v in self.values_for(field, prefix) if v not in found]
                    except Exception:  # a lookup failure must not break typing
                        pass
                options = [v for v in found if v.lower().startswith(prefix.lower())]
                return start + neg, options
        if lead and token[0] == "+":
            return lead, []
        names = [n for n in vocab.names() if n.startswith(body.lower())]
        return lead, [n + ":" for n in names]

    def action_complete(self) -> None:
        value, cursor = self.value, self.cursor_position
        if self._cycle is not None and self._cycle[0] == value and self._cycle[1] == cursor:
            _, _, begin, options, index = self._cycle
            index = (index + 1) % len(options)
            self._replace(begin, cursor, options[index], options, index)
            return
        self._cycle = None
        start = value.rfind(" ", 0, cursor) + 1
        token = value[start:cursor]
        offset, options = self.candidates(token) if token else (0, [])
        if not options:
            self.screen.focus_next()
            return
        typed = token[offset:]
        begin = start + offset
        if len(options) == 1:
            self._replace(begin, cursor, options[0])
            return
        common = _common_prefix(options)
        if len(common) > len(typed):
            match = next(o for o in options if o.lower().startswith(common))
            self._replace(begin, cursor, match[: len(common)])
            return
        self._replace(begin, cursor, options[0], options, 0)

    def _replace(
        self, begin: int, end: int, text: str, options: list[str] | None = None, index: int = 0
    ) -> None:
        self.value = self.value[:begin] + text + self.value[end:]
        self.cursor_position = begin + len(text)
        # Repeated tabs cycle through the options while nothing else was typed.
        self._cycle = (self.value, self.cursor_position, begin, options, index) if options else None
