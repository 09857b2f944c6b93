"""Provides `CrmApp` and `make_app`: the Textual shell (modes, global keys, status line).

The app is thin: screens do the work. It is the `Shell` screens see (screens/shell.py):
`book` is the one typed accessor for the open `Book`. `make_app` is the one seam tests use:
give it an open `Book` (or a storage `Database`, which it wraps), or a path to open in a
worker while the desk paints from plain sqlite3.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerState

from crm_tui.domain.dates import Clock
from crm_tui.screens import routing
from crm_tui.screens.crm_screen import CrmScreen
from crm_tui.screens.palette import CrmCommands
from crm_tui.screens.shell import Shell
from crm_tui.services.book import Book
from crm_tui.widgets.status_bar import Status, StatusBar, SyncStatusChanged

STATUS_SECONDS = 5.0
OPEN_DB_FALLBACK_SECONDS = 1.5
FIRST_FRAME_FALLBACK_SECONDS = 2.0  # after_first_frame's callbacks run by then in any case
SYNC_SECONDS = 300.0  # background sync every five minutes when signed in to a server

SECTIONS = routing.SECTIONS


class DatabaseReady(Message):
    """The ORM-backed Database is open: every screen can be used."""


class CrmApp(Shell):
    """A keyboard-driven CRM: desk, customers, follow-ups, deals and expenses."""

    CSS_PATH: ClassVar[str] = "app.tcss"
    TITLE = "crm"
    # The app starts in the desk's mode: Textual then never builds its default screen and
    # switches away from it (a second layout, two CSS re-parses, a frame thrown away).
    DEFAULT_MODE: ClassVar[str] = "desk"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    COMMANDS = App.COMMANDS | {CrmCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                s.key,
                f"section('{s.mode}')",
                s.title,
                id=f"section-{s.mode}",
                tooltip=f"Go to {s.title.lower()}",
            )
            for s in SECTIONS.values()
        ),
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key on this screen"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last change here"),
        Binding(
            "ctrl+r",
            "sync",
            "Sync",
            id="sync",
            tooltip="Sync with the team's server now",
            show=False,
        ),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        *,
        path: Path,
        clock: Clock,
        book: Book | None = None,
        open_book: Callable[[Path, Clock], Book] | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.clock = clock
        self._book = book
        self._open_book = open_book
        self._pending_mode: str | None = None
        self._opening = False
        self._syncing = False
        self._sync_manual = False
        self._sync_timer: Any = None
        self._first_frame: list[Callable[[], object]] | None = []  # None once drawn
        for section in SECTIONS.values():
            self.add_mode(section.mode, self._section_factory(section))

    def get_system_commands(self, screen: Any) -> Any:
        """Textual's own palette entries, less Quit and Keys: the app's Quit and Help are
        listed once, as the footer and `?` show them (issue 13 item 19)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command

    # --- the book --------------------------------------------------------------------------
    @property
    def book(self) -> Book:
        if self._book is None:
            raise RuntimeError("the database is still opening")
        return self._book

    @property
    def book_ready(self) -> bool:
        return self._book is not None

    @work(group="open-db", exit_on_error=False)
    async def _open_database(self) -> Book:
        """Open the book in a daemon thread of its own, not the worker pool: quitting while
        SQLAlchemy still imports (~1 s of CPU) cancels this wait and leaves the thread behind,
        where the pool's threads are joined before the process may end."""
        assert self._open_book is not None
        loop = asyncio.get_running_loop()
        opened: asyncio.Future[Book] = loop.create_future()

        def deliver(result: Book | None, error: BaseException | None) -> None:
            if opened.done():  # cancelled: the app is closing
                return
            if error is not None:
                opened.set_exception(error)
            else:
                opened.set_result(result)  # type: ignore[arg-type]

        def run() -> None:
            assert self._open_book is not None
            try:
                result, error = self._open_book(self.path, self.clock), None
            except Exception as exc:  # reported by _worker_changed
                result, error = None, exc
            try:
                loop.call_soon_threadsafe(deliver, result, error)
            except RuntimeError:  # the loop has closed: the app quit meanwhile
                pass

        threading.Thread(target=run, name="open-db", daemon=True).start()
        return await opened

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "sync":
            self._sync_changed(event)
            return
        if event.worker.group != "open-db":
            return
        if event.state is WorkerState.SUCCESS:
            self._book = event.worker.result
            self.post_message(DatabaseReady())
        elif event.state is WorkerState.ERROR:
            self.notify(
                f"cannot open {self.path}: {event.worker.error}", severity="error", timeout=30
            )

    def on_database_ready(self) -> None:
        self.refresh_status()
        self._db_opened()
        if self._pending_mode:
            mode, self._pending_mode = self._pending_mode, None
            self.action_section(mode)

    # --- lifecycle -------------------------------------------------------------------------
    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the first screen has drawn its first frame (the launcher
        turns garbage collection back on then); at once if it has."""
        if self._first_frame is None:
            callback()
        else:
            self._first_frame.append(callback)

    def _first_frame_drawn(self) -> None:
        waiting, self._first_frame = self._first_frame or [], None
        for callback in waiting:
            callback()

    def on_mount(self) -> None:
        if isinstance(self.screen, CrmScreen):
            self.screen.call_after_first_frame(self._first_frame_drawn)
        self.set_timer(FIRST_FRAME_FALLBACK_SECONDS, self._first_frame_drawn)
        if self._book is None:
            # The ORM (~1 s of CPU to import) waits until the desk has painted, so the two do
            # not share the CPU; a timer opens it anyway if the desk is slow or not shown.
            self.set_timer(OPEN_DB_FALLBACK_SECONDS, self._begin_open)
        else:
            self._db_opened()
        self.refresh_status()
        self.set_interval(STATUS_SECONDS, self.refresh_status)

    def on_desk_screen_painted(self) -> None:
        self._begin_open()

    def _begin_open(self) -> None:
        if self._book is None and not self._opening:
            self._opening = True
            self._open_database()

    def _db_opened(self) -> None:
        """What needs the database: background sync and the reminder timer."""
        self._start_background_sync()
        from crm_tui.screens.reminder import ReminderWatcher  # loads SQLAlchemy

        self.reminder_watcher = ReminderWatcher(self)  # toast + bell + dialog when one is due
        from crm_tui.screens.urgency_sort import keep_urgency_fresh

        keep_urgency_fresh(self)  # stored urgency scores, refreshed in a thread when stale

    def _section_factory(self, section: routing.Section) -> Callable[[], Any]:
        def make() -> Any:
            screen = section.make(self)
            # A new screen is styled as it mounts, with the stylesheet as it is: Textual's
            # mark of "never refreshed" would re-parse every CSS source and restyle the app
            # when the section is first shown (at start, before the desk's first frame).
            screen._css_update_count = self._css_update_count
            return screen

        return make

    # --- status line -----------------------------------------------------------------------
    def _status_of(self, figures: Any) -> Status:
        """The line for services.sync.status's figures (counts and settings only)."""
        at = figures.last_sync_at
        when = self.clock.to_local(datetime.fromisoformat(at)).strftime("%m-%d %H:%M") if at else ""
        if self._syncing:
            sync, problem = "syncing…", False
        elif figures.online is False:  # not a problem: everything works offline
            sync, problem = f"offline · last sync {when or 'never'}", False
        elif figures.last_error:
            sync, problem = f"sync failed: {figures.last_error}", True
        elif at:
            sync, problem = f"online · synced {when}", False
        else:
            sync, problem = "never synced", False
        if figures.conflicts:
            sync, problem = f"{sync} · {figures.conflicts} to review (conflicts)", True
        return Status(self.path.stem, figures.user_name or "local", figures.pending, sync, problem)

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def _read_status(self, book: Book) -> None:
        from crm_tui.services import sync  # loads the ORM: never before the desk's paint

        figures = sync.status(book)
        self.call_from_thread(self._show_status, self._status_of(figures))

    def _show_status(self, status: Status) -> None:
        if not self.screen_stack:
            return  # the app is closing
        for bar in self.screen.query(StatusBar):
            bar.show(status)

    # --- sync with the team's server -------------------------------------------------------
    def _start_background_sync(self) -> None:
        if self._sync_timer is not None or self._book is None:
            return
        from crm_tui.services import sync

        if not sync.is_signed_in(self._book):
            return
        self._sync_timer = self.set_interval(SYNC_SECONDS, self._background_sync)
        self.call_later(self._background_sync)

    def _background_sync(self) -> None:
        self._run_sync(manual=False)

    def action_sync(self) -> None:
        from crm_tui.services import sync

        if not self.book_ready:
            self.notify("Opening the database…", timeout=2)
        elif not sync.is_signed_in(self.book):
            self.notify("Not signed in to a server: run crm login URL --user NAME", timeout=8)
        elif self._syncing:
            self.notify("A sync is already running.", timeout=2)
        else:
            self._run_sync(manual=True)

    def _run_sync(self, *, manual: bool) -> None:
        if self._syncing:
            return
        self._syncing, self._sync_manual = True, manual
        self.refresh_status()
        self._sync_worker(manual)

    @work(thread=True, group="sync", exit_on_error=False)
    def _sync_worker(self, manual: bool) -> tuple[bool, Any]:
        from crm_tui.services import sync  # HTTP code loads here, off the first paint's path

        return manual, sync.sync_now(self.book, retries=2)

    def _sync_changed(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self._syncing = False
        self.refresh_status()
        screen = self.screen
        if event.state is WorkerState.SUCCESS:
            manual, report = event.worker.result
            if isinstance(screen, CrmScreen) and report.pulled:
                screen.reload()
            if manual or report.conflicts or report.rejected:
                extra = " · see Conflicts" if report.conflicts or report.rejected else ""
                self.notify(f"Synced: {report.summary()}{extra}", timeout=6)
        elif event.state is WorkerState.ERROR and self._sync_manual:
            self.notify(f"Sync failed: {event.worker.error}", severity="warning", timeout=8)

    def refresh_status(self) -> None:
        """Show the status line: its figures are read in a worker, never on the UI thread."""
        if not self.screen_stack:
            return  # the timer can fire while the app is closing
        if self._book is None:
            self._show_status(Status(self.path.stem, sync="opening…"))
            return
        self._read_status(self._book)

    def on_sync_status_changed(self, _: SyncStatusChanged) -> None:
        self.refresh_status()

    # --- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Over a form or dialog the global keys stay quiet: a stray q must not lose a form.
        if action in ("section", "quit", "undo", "help") and isinstance(self.screen, ModalScreen):
            return None  # listed (the help screen shows them) but not run
        return True

    def show_section(self, mode: str) -> None:
        self.action_section(mode)

    def action_section(self, mode: str) -> None:
        if mode != "desk" and not self.book_ready:
            self._pending_mode = mode
            self.notify("Opening the database…", timeout=2)
            return
        self.switch_mode(mode)
        # 1-6 always open the section's main screen: a customer page, the Approvals view or
        # any other screen pushed over it in that section goes (issue 13 item 13).
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            self.pop_screen()
        self.call_after_refresh(self._after_switch)

    def _after_switch(self) -> None:
        screen = self.screen
        if not isinstance(screen, CrmScreen) and not screen.query(StatusBar):
            screen.mount(StatusBar())  # sections from other modules get the status line too
        self.refresh_status()

    def action_help(self) -> None:
        from crm_tui.screens.help import HelpScreen  # on `?`: not on the first frame's path

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_undo(self) -> None:
        if not self.book_ready:
            return
        screen = self.screen
        if isinstance(screen, CrmScreen):
            entity = screen.undo_entity
        else:  # a dialog over a section: undo what that section undoes
            section = SECTIONS.get(self.current_mode)
            entity = section.undo_entity if section else None
        from crm_tui.domain.fields import ValidationErrors
        from crm_tui.services import records

        try:
            message = records.undo_last(self.book, entity)
        except ValidationErrors as exc:
            self.notify(str(exc.errors[0].message), severity="warning")
            return
        self.notify(message or "Nothing to undo here.")
        if message and isinstance(screen, CrmScreen):
            screen.reload()
        self.refresh_status()

    def show_list(self, mode: str, query: str = "", view: str | None = None) -> None:
        if not self.book_ready:
            self.notify("Opening the database…", timeout=2)
            return
        routing.show_list(self, mode, query, view)

    def open_record(self, entity: str, row_id: str, customer_id: str | None = None) -> None:
        if not self.book_ready:
            self.notify("Opening the database…", timeout=2)
            return
        routing.open_record(self, entity, row_id, customer_id)


def make_app(
    book: Book | Any = None,
    *,
    clock: Clock | None = None,
    path: Path | None = None,
    open_db: Callable[[Path, Clock], Book | Any] | None = None,
) -> CrmApp:
    """Build the app over an open `book`, or over `path` (opened in a worker with `open_db`).

    A storage `Database` is wrapped in a `Book` (tests and the bench build one directly).
    """
    if book is not None:
        book = _as_book(book)
        return CrmApp(path=book.path, clock=clock or book.clock, book=book)
    if path is None:
        raise ValueError("make_app needs a book or a path")
    opener = open_db or Book.open
    return CrmApp(path=path, clock=clock or Clock(), open_book=lambda p, c: _as_book(opener(p, c)))


def _as_book(opened: Book | Any) -> Book:
    return opened if isinstance(opened, Book) else Book(opened)
