"""Provides `FollowUpsScreen` and `mark_done`: the rep's follow-ups, and closing one.

`x` asks what happened, then offers the next follow-up a week later (kind, subject and date
prefilled); both are written by `activities.done` in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Tab, Tabs

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.models import Activity
from crm_tui.screens.base import ListScreen
from crm_tui.screens.urgency_sort import UrgencySort, sort_binding
from crm_tui.services.book import Book
from crm_tui.widgets.record_table import Column, RecordTable

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

FOLLOW_UP_FIELDS = [
    "customer_id",
    "contact_id",
    "opportunity_id",
    "kind",
    "subject",
    "due_at",
    "notes",
]
NEXT_FIELDS = ["kind", "subject", "due_at", "notes"]

# view id -> (tab label, key)
VIEWS: dict[str, tuple[str, str]] = {
    "open": ("Open", "o"),
    "overdue": ("Overdue", "l"),
    "today": ("Today", "t"),
    "upcoming": ("Upcoming", "p"),
    "done": ("Done", "d"),
    "all": ("All", "a"),
}


def when_text(clock: Clock, row: dict[str, Any], key: str = "due_at") -> str:
    moment = row.get(key)
    if moment is None:
        return ""
    local = clock.to_local(moment)
    if key == "due_at" and row.get("all_day"):
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")


def follow_up_style(clock: Clock, row: dict[str, Any]) -> str | None:
    """Done follow-ups dim, overdue ones red (due before today and still open)."""
    if row.get("done_at") is not None:
        return "dim"
    due = row.get("due_at")
    if due is not None and clock.to_local(due).date() < clock.today():
        return "red"
    return None


def view_filter(view: str, clock: Clock) -> list[Any]:
    today = clock.today()
    start = clock.day_start_utc(today)
    tomorrow = clock.day_start_utc(today + timedelta(days=1))
    open_ = Activity.done_at.is_(None)  # type: ignore[union-attr]
    due = Activity.due_at
    return {
        "open": [open_],
        "overdue": [open_, due < start],  # type: ignore[operator]
        "today": [open_, due >= start, due < tomorrow],  # type: ignore[operator]
        "upcoming": [open_, due >= tomorrow],  # type: ignore[operator]
        "done": [Activity.done_at.is_not(None)],  # type: ignore[union-attr]
        "all": [],
    }[view]


def _book(book: Book | Any) -> Book:
    # TRANSITION: screens not yet converted pass their Database.
    return book if isinstance(book, Book) else Book(book)


def mark_done(
    app: App[Any], book: Book, activity_id: str, then: Callable[[Any], None] | None = None
) -> None:
    """Ask the outcome, then offer the next follow-up a week later; save both at once."""
    db = _book(book).db
    from crm_tui.screens.forms import RecordForm
    from crm_tui.screens.pickers import PromptScreen

    record = db.repos.activities.get(activity_id)
    if record is None:
        return
    if record.done_at is not None:
        app.notify("This follow-up is already done.", severity="warning")
        return

    def finish(result: Any) -> None:
        if result is not None and then is not None:
            then(result)

    def save_next(values: dict[str, str]) -> Any:
        due = (values.get("due_at") or "").strip()
        try:
            closed, follow = db.repos.activities.done(
                activity_id,
                outcome=outcome_text,
                next_due=due or None,
                next_subject=values.get("subject") or None,
                next_kind=values.get("kind") or None,
            )
        except ValidationErrors as exc:
            raise ValidationErrors(
                [
                    FieldError("due_at" if e.field == "next" else e.field, e.message)
                    for e in exc.errors
                ]
            ) from None
        if follow is not None and values.get("notes"):
            db.repos.activities.update(follow.id, {"notes": values["notes"]})
        app.notify(f"Done: {closed.subject}" + (f"; next on {values['due_at']}" if follow else ""))
        return closed

    def closed_without_next(result: Any) -> None:
        if result is None:  # escape on the next follow-up form: close this one only
            closed, _ = db.repos.activities.done(activity_id, outcome=outcome_text)
            app.notify(f"Done: {closed.subject}")
            result = closed
        finish(result)

    outcome_text = ""

    def got_outcome(outcome: str | None) -> None:
        nonlocal outcome_text
        if outcome is None:
            return
        outcome_text = outcome
        clock = db.clock
        day = clock.today() + timedelta(weeks=1)
        if record.all_day or record.due_at is None:
            due = clock.day_start_utc(day)
        else:
            due = clock.at_local(day, clock.to_local(record.due_at).time())
        initial = {
            "kind": record.kind,
            "subject": record.subject,
            "due_at": due,
            "all_day": record.all_day or record.due_at is None,
        }
        app.push_screen(
            RecordForm(
                "activity",
                title=f"Next follow-up with {_customer(db, record)}",
                initial=initial,
                fields=NEXT_FIELDS,
                save=save_next,
            ),
            closed_without_next,
        )

    app.push_screen(
        PromptScreen(
            f"What happened? ({record.subject})", placeholder="outcome, e.g. sent the quote"
        ),
        got_outcome,
    )


def _customer(db: Database, record: Any) -> str:
    customer = db.repos.customers.get(record.customer_id)
    return customer.name if customer else "the customer"


def edit_follow_up(
    app: App[Any], book: Book, activity_id: str, then: Callable[[Any], None] | None = None
) -> None:
    db = _book(book).db
    from crm_tui.screens.forms import RecordForm

    repo = db.repos.activities
    record = repo.get(activity_id)
    if record is None:
        return
    app.push_screen(
        RecordForm(
            "activity",
            title=f"Follow-up: {record.subject}",
            initial=record.model_dump(),
            fields=[*FOLLOW_UP_FIELDS, "outcome"],
            save=lambda changes: repo.update(activity_id, changes),
        ),
        then,
    )


class FollowUpsScreen(UrgencySort, ListScreen):
    """Follow-ups by due date (or most urgent first: `s`), in views: open, overdue, today,
    upcoming, done, all."""

    entity = "activity"
    noun = "follow-ups"
    undo_entity = "activity"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Filter", id="followups.filter"),
        Binding("escape", "focus_table", "List", show=False),
        Binding(
            "x",
            "done",
            "Done",
            id="followups.done",
            tooltip="Mark done, record the outcome, schedule the next one",
        ),
        Binding("n", "new", "New", id="followups.new"),
        Binding("e", "edit", "Edit", id="followups.edit"),
        Binding("c", "customer", "Customer", id="followups.customer"),
        sort_binding("followups"),
        *(
            Binding(key, f"view('{view}')", label, show=False, id=f"followups.view-{view}")
            for view, (label, key) in VIEWS.items()
        ),
    ]

    def __init__(self, book: Book, view: str = "open") -> None:
        super().__init__(book)
        self.view = view

    def base_filter(self) -> list[Any]:
        return view_filter(self.view, self.db.clock)

    def urgency_applies(self) -> bool:
        return getattr(self, "view", "open") != "done"

    def make_source(self) -> Any:
        from crm_tui.storage.listing import ListSource

        if self.by_urgency:
            return self.urgency_source(self.base_filter())
        done = self.view == "done"
        return ListSource(
            self.db,
            "activity",
            where=self.base_filter(),
            order=["done_at" if done else "due_at"],
            descending=done,
            nulls=not done,  # the done view has no NULL done_at
        )

    def compose_top(self) -> ComposeResult:
        yield Tabs(
            *(Tab(f"{label} \\[{key}]", id=view) for view, (label, key) in VIEWS.items()),
            active=self.view,
            id="followup-views",
        )

    def columns(self) -> list[Column]:
        clock = self.db.clock

        done_view = getattr(self, "view", "open") == "done"

        def due(row: dict[str, Any]) -> str:
            if done_view:
                return "✓ " + when_text(clock, row, "done_at")
            return ("✓ " if row.get("done_at") else "") + when_text(clock, row)

        return self.with_urgency(
            [
                Column("due_at", "Due", 18, text=due),
                Column("kind", "Kind", 7),
                Column("subject", "Subject"),
                Column("customer_name", "Customer"),
            ]
        )

    def row_style(self, row: dict[str, Any]) -> str | None:
        return follow_up_style(self.db.clock, row)

    def on_mount(self) -> None:
        self.query_one("#followup-views", Tabs).can_focus = False
        self.table.focus()

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        view = str(event.tab.id)
        if view != self.view:
            self.action_view(view)

    def action_view(self, view: str) -> None:
        self.view = view
        self.query_one("#followup-views", Tabs).active = view
        self.table.columns = self.columns()  # the Urg column comes and goes with the done view
        self.table.set_source(self.make_source())
        if self.query_text:
            self.apply_filter()

    def _current_id(self) -> str | None:
        row = self.table.current_row
        return None if row is None else str(row["id"])

    def action_done(self) -> None:
        if (row_id := self._current_id()) is not None:
            mark_done(self.app, self.book, row_id, lambda _: self._changed())

    def action_new(self) -> None:
        from crm_tui.screens.forms import RecordForm

        self.app.push_screen(
            RecordForm(
                "activity",
                title="New follow-up",
                fields=FOLLOW_UP_FIELDS,
                initial={
                    "due_at": self.db.clock.day_start_utc(self.db.clock.today()),
                    "all_day": True,
                },
                save=self.db.repos.activities.create,
            ),
            lambda rec: rec is not None and self._changed(),
        )

    def action_edit(self) -> None:
        if (row_id := self._current_id()) is not None:
            edit_follow_up(
                self.app, self.book, row_id, lambda rec: rec is not None and self._changed()
            )

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.action_edit()

    def action_customer(self) -> None:
        row = self.table.current_row
        if row is not None:
            self.shell.open_record("customer", row["customer_id"])

    def _changed(self) -> None:
        self.table.reload()
        self.shell.refresh_status()
