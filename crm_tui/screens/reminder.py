"""Provides the in-app reminders: `ReminderWatcher` checks on a timer, `ReminderScreen` shows them.

Every `reminders.interval` seconds (a setting; 30 by default) the watcher asks
services/reminders.py what is due and has not been shown on this laptop. Each new reminder
rings the terminal bell and shows a toast once; due follow-ups also open a small dialog with
keys to open the follow-up, snooze it (15 min, 1 hour, tomorrow 09:00) or mark it done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.domain.fields import ValidationErrors
from crm_tui.screens.shell import book_of, book_ready, shell_of
from crm_tui.services import followups, reminders

if TYPE_CHECKING:
    from textual.app import App

    from crm_tui.services.book import Book

SNOOZE_LABELS = {"15m": "15 minutes", "1h": "1 hour", "tomorrow": "Tomorrow 09:00"}


class ReminderScreen(ModalScreen[None]):
    """Due follow-ups, one at a time: o open, s snooze, d done, escape later."""

    DEFAULT_CSS = """
    ReminderScreen { align: center middle; }
    ReminderScreen > Vertical {
        width: 60; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    ReminderScreen .reminder-title { text-style: bold; }
    ReminderScreen .reminder-keys { color: $text-muted; margin-top: 1; }
    ReminderScreen OptionList { display: none; height: auto; }
    ReminderScreen OptionList.-asking { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open", "Open", id="reminder.open", tooltip="Open the follow-up"),
        Binding(
            "s",
            "snooze",
            "Snooze",
            id="reminder.snooze",
            tooltip="Remind again in 15 minutes, 1 hour or tomorrow",
        ),
        Binding("d", "done", "Done", id="reminder.done", tooltip="Mark the follow-up done"),
        Binding("escape", "later", "Later", id="reminder.later"),
    ]
    """o opens, s snoozes, d marks done, escape keeps it for later."""

    def __init__(self, book: Book, due: list[reminders.Reminder]) -> None:
        super().__init__()
        self.book = book
        self.queue = list(due)

    @property
    def current(self) -> reminders.Reminder | None:
        return self.queue[0] if self.queue else None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", classes="reminder-title", id="reminder-title")
            yield Static("", id="reminder-detail")
            yield OptionList(
                *(Option(label, id=key) for key, label in SNOOZE_LABELS.items()), id="snooze"
            )
            yield Static("o open · s snooze · d done · escape later", classes="reminder-keys")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        rem = self.current
        if rem is None:
            self.dismiss(None)
            return
        more = f"  (+{len(self.queue) - 1} more)" if len(self.queue) > 1 else ""
        self.query_one("#reminder-title", Static).update(f"⏰ {rem.title}{more}")
        self.query_one("#reminder-detail", Static).update(rem.detail)

    def _next(self, message: str | None = None) -> None:
        if message:
            self.app.notify(message, timeout=3)
        if self.queue:
            self.queue.pop(0)
        self.query_one("#snooze", OptionList).remove_class("-asking")
        self._show()

    def action_open(self) -> None:
        rem = self.current
        if rem is None:
            return
        self.dismiss(None)
        shell_of(self.app).open_record(rem.entity, rem.row_id)

    def action_snooze(self) -> None:
        menu = self.query_one("#snooze", OptionList)
        menu.add_class("-asking")
        menu.highlighted = 0
        menu.focus()

    @on(OptionList.OptionSelected, "#snooze")
    def _snoozed(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.snooze(str(event.option.id))

    def snooze(self, choice: str) -> None:
        rem = self.current
        if rem is None:
            return
        until = reminders.snooze(self.book, rem.row_id, choice)
        local = self.book.clock.to_local(until)
        self._next(f"Snoozed '{rem.title}' until {local:%a %H:%M}.")

    def action_done(self) -> None:
        rem = self.current
        if rem is None:
            return
        try:
            followups.complete(self.book, rem.row_id, "")  # no outcome asked
        except ValidationErrors as exc:
            self.app.notify(exc.errors[0].message, severity="warning")
        self._next(f"Done: {rem.title}.")

    def action_later(self) -> None:
        menu = self.query_one("#snooze", OptionList)
        if menu.has_class("-asking"):
            menu.remove_class("-asking")
            return
        self.dismiss(None)


class ReminderWatcher:
    """Checks for due reminders on a timer while the app runs; each shows once.

    The timer's checks read SQLite in a thread worker; only showing them runs on the UI thread.
    """

    def __init__(self, app: App[Any], start: bool = True) -> None:
        self.app = app
        self.timer = None
        if start:
            # The first check comes after one interval, once the app has settled.
            self.timer = app.set_interval(self.interval(), self._tick, name="reminders")

    def _book(self) -> Book | None:
        return book_of(self.app) if book_ready(self.app) else None

    def interval(self) -> float:
        book = self._book()
        return reminders.interval(book) if book is not None else reminders.DEFAULT_INTERVAL

    def _tick(self) -> None:
        book = self._book()
        if book is not None:
            self.app.run_worker(
                lambda: self._collect_and_show(book),
                thread=True,
                exclusive=True,
                group="reminders",
                exit_on_error=False,
            )

    def _collect_and_show(self, book: Book) -> None:
        fresh = self.collect(book)
        if fresh:
            self.app.call_from_thread(self.show, book, fresh)

    def collect(self, book: Book) -> list[reminders.Reminder]:
        """What came due since the last check, marked as shown (database work only)."""
        fresh = reminders.unshown(book, reminders.due_now(book))
        reminders.mark_shown(book, fresh)
        return fresh

    def show(self, book: Book, fresh: list[reminders.Reminder]) -> None:
        """Ring, toast each reminder, and open the dialog for due follow-ups (UI thread)."""
        self.app.bell()
        for rem in fresh:
            label = {"followup": "Follow-up due", "birthday": "Birthday", "deal": "Deal closing"}[
                rem.kind
            ]
            self.app.notify(rem.line(), title=label, timeout=10)
        followups = [r for r in fresh if r.kind == "followup"]
        if followups and not isinstance(self.app.screen, ReminderScreen):
            self.app.push_screen(ReminderScreen(book, followups))

    def check(self) -> list[reminders.Reminder]:
        """Check now and show what came due, all on this thread; returns the reminders shown."""
        book = self._book()
        if book is None:
            return []
        fresh = self.collect(book)
        if fresh:
            self.show(book, fresh)
        return fresh
