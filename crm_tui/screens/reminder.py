"""Provides the in-app reminders: `ReminderWatcher` checks on a timer, `ReminderScreen` shows them.

Every `reminders.interval` seconds (a setting; 30 by default) the watcher asks
services/reminders.py what is due and has not been shown on this laptop. Each new reminder
rings the terminal bell and shows a toast once; due follow-ups also open a small dialog with
keys to open the follow-up, snooze it (15 min, 1 hour, tomorrow 09:00) or mark it done.

Nothing pops over a dialog or a form (issue 13 item 14): while one is open the reminders
wait and come when it closes. Many at once (a big book's first open) come as one summary,
"230 overdue follow-ups — o open the list", not a toast each and "+230 more".
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
from crm_tui.screens.followups import FollowUpsScreen
from crm_tui.screens.routing import SECTIONS
from crm_tui.screens.shell import book_of, book_ready, shell_of
from crm_tui.services import followups, lists, reminders

if TYPE_CHECKING:
    from textual.app import App

    from crm_tui.services.book import Book

SNOOZE_LABELS = {"15m": "15 minutes", "1h": "1 hour", "tomorrow": "Tomorrow 09:00"}
SUMMARY_AT = 5  # more due follow-ups than this at once: one summary instead of a queue
TOASTS_AT_MOST = 3  # birthdays / deals closing toasted one by one; the rest as "and N more"
WAIT_FOR_MODAL = 1.0  # seconds between looks while a dialog or form is open


def overdue_count(book: Book) -> int:
    """Open follow-ups due before the start of today (domain/followup_rules' one meaning)."""
    return lists.source(book, "activity", followups.view_filter("overdue", book.clock)).count()


def open_overdue_list(app: App[Any]) -> None:
    """The Follow-ups section on its Overdue view."""
    shell = shell_of(app)
    shell.show_section("followups")

    def after() -> None:
        if isinstance(shell.screen, FollowUpsScreen):
            shell.screen.action_view("overdue")

    shell.call_after_refresh(after)


class ReminderSummaryScreen(ModalScreen[None]):
    """Many follow-ups due at once: how many are overdue, o opens the list, escape later."""

    DEFAULT_CSS = """
    ReminderSummaryScreen { align: center middle; }
    ReminderSummaryScreen > Vertical {
        width: 60; max-width: 100%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    ReminderSummaryScreen .reminder-title { text-style: bold; }
    ReminderSummaryScreen .reminder-keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open", "Open the list", id="reminder-summary.open"),
        Binding("escape", "later", "Later", id="reminder-summary.later"),
        *(Binding(s.key, f"section('{s.mode}')", s.title, show=False) for s in SECTIONS.values()),
    ]

    def __init__(
        self, due: int, overdue: int, others: list[reminders.Reminder] | None = None
    ) -> None:
        super().__init__()
        self.due = due
        self.overdue = overdue
        # Birthdays and deals closing are named here, not toasted: a toast would cover the
        # key hint, and the dialog gives the one count of what else is due.
        self.others = list(others or [])

    def compose(self) -> ComposeResult:
        if self.overdue:
            title = f"⏰ {self.overdue:,} overdue follow-up{'s' if self.overdue != 1 else ''}"
            rest = max(self.due - self.overdue, 0)
        else:
            title, rest = f"⏰ {self.due:,} follow-ups due", 0
        more = rest + len(self.others)
        detail = f"and {more:,} more reminder{'s' if more != 1 else ''} due" if more else ""
        parts = [f"{rest:,} follow-up{'s' if rest != 1 else ''}"] if rest else []
        if self.others:
            parts.append(f"{len(self.others):,} birthdays, deals closing and payments due")
        if len(parts) > 1 or self.others:
            detail += f" ({', '.join(parts)})"
        lines = [rem.line() for rem in self.others[:TOASTS_AT_MOST]]
        with Vertical():
            yield Static(title, classes="reminder-title", id="reminder-title")
            yield Static(detail, id="reminder-detail")
            if lines:
                yield Static("\n".join(lines), id="reminder-others")
            yield Static(
                "o open the list · 1-6 go to a section · escape later", classes="reminder-keys"
            )

    def action_section(self, mode: str) -> None:
        """A section key closes the summary and goes there (the dialog does not eat it)."""
        self.dismiss(None)
        shell_of(self.app).show_section(mode)

    def action_open(self) -> None:
        self.dismiss(None)
        if self.overdue:
            open_overdue_list(self.app)
        else:
            shell_of(self.app).show_section("followups")

    def action_later(self) -> None:
        self.dismiss(None)


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
        titles = self.query("#reminder-title").results(Static)
        title = next(titles, None)
        if title is None:  # a reminder that fired as the app quits: its children are gone
            return
        title.update(f"⏰ {rem.title}{more}")
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
        self.pending: list[reminders.Reminder] = []  # collected, waiting for a modal to close
        self.overdue: int | None = None  # counted when many follow-ups came due at once
        self._waiting = False
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
            overdue = self._count_if_many(book, fresh)
            self.app.call_from_thread(self.show, book, fresh, overdue)

    def _count_if_many(self, book: Book, fresh: list[reminders.Reminder]) -> int | None:
        due = sum(1 for r in fresh if r.kind == "followup") + len(self.pending)
        return overdue_count(book) if due > SUMMARY_AT else None

    def collect(self, book: Book) -> list[reminders.Reminder]:
        """What came due since the last check, marked as shown (database work only)."""
        fresh = reminders.unshown(book, reminders.due_now(book))
        reminders.mark_shown(book, fresh)
        return fresh

    def modal_open(self) -> bool:
        """A dialog or form is up: a reminder must not cover it or take its keys."""
        return any(screen.is_modal for screen in self.app.screen_stack)

    def show(self, book: Book, fresh: list[reminders.Reminder], overdue: int | None = None) -> None:
        """Show what came due now, or once no dialog or form is open (UI thread)."""
        self.pending.extend(fresh)
        if overdue is not None:
            self.overdue = overdue
        self._deliver(book)

    def _retry(self, book: Book) -> None:
        self._waiting = False
        self._deliver(book)

    def _deliver(self, book: Book) -> None:
        if not self.pending:
            return
        if self.modal_open():
            if not self._waiting:  # one timer at a time
                self._waiting = True
                self.app.set_timer(WAIT_FOR_MODAL, lambda: self._retry(book))
            return
        due, self.pending = self.pending, []
        overdue, self.overdue = self.overdue, None
        self.app.bell()
        follow = [r for r in due if r.kind == "followup"]
        others = [r for r in due if r.kind != "followup"]
        labels = {
            "followup": "Follow-up due",
            "birthday": "Birthday",
            "deal": "Deal closing",
            "instalment": "Payment due",
            "report": "Report due",
        }
        if len(follow) > SUMMARY_AT:  # one dialog with one count; no toasts over its keys
            if overdue is None:
                overdue = overdue_count(book)
            self.app.push_screen(ReminderSummaryScreen(len(follow), overdue, others))
            return
        # Instalments come many at once on a first open (every overdue one): a few toasts,
        # then one count; the desk's "Payments due / overdue" panel lists them all.
        owed = [r for r in due if r.kind == "instalment"]
        for rem in [r for r in due if r.kind != "instalment"] + owed[:TOASTS_AT_MOST]:
            self.app.notify(rem.line(), title=labels[rem.kind], timeout=10)
        if len(owed) > TOASTS_AT_MOST:
            more = len(owed) - TOASTS_AT_MOST
            self.app.notify(
                f"and {more:,} more instalment{'s' if more != 1 else ''} due or overdue "
                "(the desk lists them)",
                title="Payments due",
                timeout=10,
            )
        if follow and not isinstance(self.app.screen, ReminderScreen):
            self.app.push_screen(ReminderScreen(book, follow))

    def check(self) -> list[reminders.Reminder]:
        """Check now and show what came due, all on this thread; returns the reminders shown."""
        book = self._book()
        if book is None:
            return []
        fresh = self.collect(book)
        if fresh:
            self.show(book, fresh, self._count_if_many(book, fresh))
        return fresh
