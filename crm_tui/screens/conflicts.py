"""Provides `ConflictsScreen`: every value that lost a sync conflict or that the server
refused, and every edit that reached a record deleted on the server, field by field
(yours / theirs / when / who / why), with `r` to restore yours; under it, the pulled rows
this laptop could not apply yet (parked, retried at each sync) and why.

Nothing a rep typed is ever dropped by sync: this screen is where they see it. Restoring
writes a new change (so it syncs like any edit; a deleted record comes back with the edit);
the entry stays in the log, marked as dealt with. The reads and steps are services.sync's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from crm_tui.domain.fields import ENTITIES, ValidationErrors
from crm_tui.screens.base import CrmScreen
from crm_tui.screens.shell import book_of, book_ready
from crm_tui.services import records, sync
from crm_tui.services.words import word_for
from crm_tui.widgets.deliver import deliver
from crm_tui.widgets.status_bar import SyncStatusChanged

if TYPE_CHECKING:
    from textual.app import App

    from crm_tui.services.book import Book

# Claim fields only the expense commands set: a refused value there cannot be typed back.
COMMAND_FIELDS = frozenset({"status", "submitted_at", "decided_at", "decision_note", "approver_id"})
_TITLE_FIELDS = ("name", "title", "subject", "description", "product")


@dataclass(frozen=True)
class ConflictView:
    """One conflict-log entry as the rep reads it."""

    id: int
    entity: str
    row_id: str
    record: str
    field: str
    kind: str  # conflict | rejected | deleted (an edit that reached a row deleted upstream)
    yours: Any
    theirs: Any
    yours_lost: bool
    your_time: str
    their_time: str
    who: str
    reason: str
    resolved: bool

    @property
    def outcome(self) -> str:
        if self.kind == "rejected":
            return "refused by the server"
        if self.kind == "deleted":
            return "deleted on the server"
        return "yours lost" if self.yours_lost else "yours won"


def _node(stamp: str | None) -> str:
    return stamp.split("-", 2)[-1] if stamp else ""


def _stamp_time(book: Book, stamp: str | None) -> str:
    if not stamp:
        return ""
    moment = datetime.fromtimestamp(int(stamp.split("-", 1)[0]) / 1000, UTC)
    return book.clock.to_local(moment).strftime("%Y-%m-%d %H:%M")


def _record_label(book: Book, entity: str, row_id: str) -> str:
    known = entity in ENTITIES
    rec = records.get(book, entity, row_id, include_deleted=True) if known else None
    word = word_for(entity)
    if rec is None:
        return f"{word} {row_id[:8]} (not on this laptop)"
    for name in _TITLE_FIELDS:
        value = getattr(rec, name, None)
        if value:
            return f"{word}: {value}"
    return f"{word} {row_id[:8]}"


def describe(book: Book, entry: dict[str, Any]) -> ConflictView:
    """Turn a `conflict` row into yours/theirs: the side written on this laptop is yours."""
    if entry["kind"] in ("rejected", "deleted"):
        yours_lost = True
    elif _node(entry["losing_hlc"]) == book.device_id:
        yours_lost = True
    elif _node(entry["winning_hlc"]) == book.device_id:
        yours_lost = False
    else:
        yours_lost = True
    lost, won = entry["losing_value"], entry["winning_value"]
    lost_at, won_at = entry["losing_hlc"], entry["winning_hlc"]
    yours, theirs = (lost, won) if yours_lost else (won, lost)
    your_stamp, their_stamp = (lost_at, won_at) if yours_lost else (won_at, lost_at)
    return ConflictView(
        id=entry["id"],
        entity=entry["entity"],
        row_id=entry["row_id"],
        record=_record_label(book, entry["entity"], entry["row_id"]),
        field=entry["field"],
        kind=entry["kind"],
        yours=yours,
        theirs=theirs,
        yours_lost=yours_lost,
        your_time=_stamp_time(book, your_stamp),
        their_time=_stamp_time(book, their_stamp),
        who=entry["who"] or ("the server" if entry["kind"] != "conflict" else ""),
        reason=entry["reason"] or "",
        resolved=bool(entry["resolved"]),
    )


def load_conflicts(book: Book, *, include_resolved: bool = False) -> list[ConflictView]:
    return [describe(book, e) for e in sync.conflicts(book, include_resolved=include_resolved)]


def show_value(field: str, value: Any) -> str:
    if field == "deleted":
        return "deleted" if value else "present"
    if value is None or value == "":
        return "—"
    return str(value)


def restore_yours(book: Book, view: ConflictView) -> str:
    """Write your value back as a new change (it syncs like any edit); returns a message.
    For an edit of a record deleted on the server, the record comes back with the edit.

    Raises `ValueError` with a sentence when it cannot be restored.
    """
    if not view.yours_lost:
        raise ValueError("your value is the one in use: nothing to restore")
    if view.kind == "deleted":
        return _restore(book, view, f"Restored {view.record} with your edit")
    if view.field == "owner_id" or (view.entity == "expense" and view.field in COMMAND_FIELDS):
        raise ValueError(f"'{view.field}' changes only through its command, not by an edit")
    if view.field != "deleted" and view.field not in ENTITIES[view.entity].by_name:
        raise ValueError(f"this version of crm does not know the field '{view.field}'")
    return _restore(book, view, f"Restored your {view.field} on {view.record}")


def _restore(book: Book, view: ConflictView, done: str) -> str:
    try:
        sync.restore_conflict(book, view.id)
    except LookupError:  # the repository's NotFound
        raise ValueError("the record is deleted here: restore the record first") from None
    except ValidationErrors as exc:
        raise ValueError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
    return f"{done}; it syncs with your next sync."


def parked_lines(book: Book, limit: int = 6) -> str:
    """The pulled rows waiting to be applied, one line each (the first `limit`)."""
    rows = sync.parked(book, limit=limit + 1)
    if not rows:
        return ""
    lines = [
        f"{len(rows) if len(rows) <= limit else f'{limit}+'} pulled row(s) not applied yet"
        " (retried at each sync):"
    ]
    for row in rows[:limit]:
        lines.append(f"  {word_for(row.entity)} {row.row_id[:8]}: {row.reason}")
    return "\n".join(lines)


class ConflictsScreen(CrmScreen):
    """Conflicts and refused changes, newest first; the panel shows the selected one in full."""

    CSS_PATH = "sync_views.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r", "restore", "Restore yours", id="conflicts.restore", tooltip="Write your value back"
        ),
        Binding("d", "dismiss_entry", "Dismiss", id="conflicts.dismiss", tooltip="Mark as seen"),
        Binding("a", "toggle_all", "Show all", id="conflicts.all", tooltip="Include dealt-with"),
        Binding("escape", "back", "Back", id="conflicts.back"),
    ]

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.show_resolved = False
        self.views: list[ConflictView] = []
        self.loaded = False  # False while a reload is under way (r and d wait for it)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="conflicts-summary", classes="section-summary")
        yield DataTable(id="conflicts-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="conflict-detail")
        yield Static("", id="conflicts-parked")

    def on_mount(self) -> None:
        table = self.query_one("#conflicts-table", DataTable)
        table.add_columns("Record", "Field", "Yours", "Theirs", "Who", "When", "Outcome")
        self.reload()
        table.focus()

    def reload(self) -> None:
        """Re-read the log in a thread worker; the steps wait until it is shown."""
        self.loaded = False
        self._load(self.show_resolved)

    @work(thread=True, exclusive=True, group="conflicts", exit_on_error=False)
    def _load(self, include_resolved: bool) -> None:
        views = load_conflicts(self.book, include_resolved=include_resolved)
        waiting = parked_lines(self.book)
        if not get_current_worker().is_cancelled:
            deliver(self.app, self._show, views, waiting)

    def _show(self, views: list[ConflictView], waiting: str) -> None:
        self.views = views
        self.loaded = True
        table = self.query_one("#conflicts-table", DataTable)
        row = table.cursor_row
        table.clear()
        for v in self.views:
            table.add_row(
                v.record,
                v.field,
                show_value(v.field, v.yours),
                show_value(v.field, v.theirs),
                v.who,
                v.your_time or v.their_time,
                v.outcome + (" ✓" if v.resolved else ""),
                key=str(v.id),
            )
        if self.views:
            table.move_cursor(row=min(row, len(self.views) - 1))
        refused = sum(v.kind == "rejected" for v in self.views)
        deleted = sum(v.kind == "deleted" for v in self.views)
        gone = f", {deleted} edit(s) of deleted records" if deleted else ""
        self.query_one("#conflicts-summary", Static).update(
            f"{len(self.views) - refused - deleted} conflict(s), {refused} refused change(s){gone}"
            + (" (all, including dealt with)" if self.show_resolved else " to review")
            + " · nothing is dropped: r restores your value as a new change"
        )
        self._show_detail()
        parked = self.query_one("#conflicts-parked", Static)
        parked.update(waiting)
        parked.display = bool(waiting)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "conflicts" and event.state is WorkerState.ERROR:
            self.notify(f"Cannot read the conflicts: {event.worker.error}", severity="error")

    @property
    def current(self) -> ConflictView | None:
        table = self.query_one("#conflicts-table", DataTable)
        if (
            not self.loaded
            or not self.views
            or table.cursor_row < 0
            or table.cursor_row >= len(self.views)
        ):
            return None
        return self.views[table.cursor_row]

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        v = self.current
        detail = self.query_one("#conflict-detail", Static)
        if not self.loaded:
            detail.update("Reading the conflict log…")
            return
        if v is None:
            detail.update("Nothing to review: every edit made it to the server.")
            return
        lines = [
            f"[b]{v.record}[/b] · field [b]{v.field}[/b] · {v.outcome}",
            f"yours:  {show_value(v.field, v.yours)}   ({v.your_time or 'time unknown'})",
            f"theirs: {show_value(v.field, v.theirs)}   "
            f"({', '.join(x for x in (v.who, v.their_time) if x) or 'the server'})",
        ]
        if v.reason:
            lines.append(f"why: {v.reason}")
        detail.update("\n".join(lines))

    def action_restore(self) -> None:
        v = self.current
        if v is None:
            return
        try:
            message = restore_yours(self.book, v)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(message)
        self.reload()
        self.app.post_message(SyncStatusChanged())

    def action_dismiss_entry(self) -> None:
        v = self.current
        if v is not None:
            sync.dismiss_conflict(self.book, v.id)
            self.reload()
            self.app.post_message(SyncStatusChanged())

    def action_toggle_all(self) -> None:
        self.show_resolved = not self.show_resolved
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


def show_conflicts(app: App[Any]) -> None:
    """Open the conflicts view over the current screen (a palette entry)."""
    if not book_ready(app):
        app.notify("Opening the database…", timeout=2)
        return
    app.push_screen(ConflictsScreen(book_of(app)))
