"""Provides `FollowUpsScreen` and `mark_done`: the rep's follow-ups, and closing one.

`x` asks what happened, then offers the next follow-up a week later (kind, subject and date
prefilled); both are written by `activities.done` in one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Tab, Tabs

from crm_tui.domain.dates import Clock
from crm_tui.domain.filter import Filter
from crm_tui.domain.followup_rules import VIEWS, view_filter
from crm_tui.domain.models import Activity
from crm_tui.screens.base import ListScreen
from crm_tui.screens.insight import open_survey
from crm_tui.screens.urgency_sort import UrgencySort, sort_binding
from crm_tui.services import followups
from crm_tui.services.book import Book
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

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


def mark_done(
    app: App[Any], book: Book, activity_id: str, then: Callable[[Any], None] | None = None
) -> None:
    """Ask the outcome, then offer the next follow-up a week later; save both at once
    (services.followups.complete, one transaction). `then` gets the closed follow-up."""
    app.run_worker(
        _mark_done(app, book, activity_id, then),
        group="mark-done",
        exclusive=True,
        exit_on_error=False,
    )


async def _mark_done(
    app: App[Any], book: Book, activity_id: str, then: Callable[[Any], None] | None
) -> Activity | None:
    """The flow, straight through: outcome -> next follow-up form -> one save. Nothing is
    written before the last step, so quitting half-way leaves the follow-up as it was."""
    from crm_tui.screens.forms import RecordForm
    from crm_tui.screens.pickers import PromptScreen

    # Two one-row reads by key stay on the UI thread, so the prompt and the form are up
    # before the rep's next keystroke (a key typed into the list would run its action).
    record = followups.get(book, activity_id)
    if record is None:
        return None
    if record.done_at is not None:
        app.notify("This follow-up is already done.", severity="warning")
        return None
    outcome = await app.push_screen_wait(
        PromptScreen(
            f"What happened? ({record.subject})", placeholder="outcome, e.g. sent the quote"
        )
    )
    if outcome is None:
        return None
    offer = followups.next_for(book, record)
    customer = followups.customer_name(book, record)
    saved: list[followups.Done] = []

    def save_with_next(values: dict[str, str]) -> Activity:
        due = (values.get("due_at") or "").strip()
        next_up = None
        if due:
            next_up = followups.NextFollowUp(
                values.get("kind") or "",
                values.get("subject") or "",
                due,
                notes=values.get("notes") or None,
            )
        saved.append(followups.complete(book, activity_id, outcome, next_up))
        return saved[-1].closed

    form = RecordForm(
        "activity",
        title=f"Next follow-up with {customer}",
        initial={
            "kind": offer.kind,
            "subject": offer.subject,
            "due_at": offer.due_at,
            "all_day": offer.all_day,
        },
        fields=NEXT_FIELDS,
        save=save_with_next,
    )
    if await app.push_screen_wait(form) is None:  # escape: close this one, schedule nothing
        saved.append(await asyncio.to_thread(followups.complete, book, activity_id, outcome))
    done = saved[-1]
    if done.next is not None:
        app.notify(f"Done: {done.closed.subject}; next on {_when(book, done.next)}")
    else:
        app.notify(f"Done: {done.closed.subject}")
    if then is not None:
        then(done.closed)
    return done.closed


def _when(book: Book, activity: Activity) -> str:
    return when_text(book.clock, activity.model_dump())


def edit_follow_up(
    app: App[Any], book: Book, activity_id: str, then: Callable[[Any], None] | None = None
) -> None:
    from crm_tui.screens.forms import RecordForm

    record = followups.get(book, activity_id)
    if record is None:
        return
    app.push_screen(
        RecordForm(
            "activity",
            title=f"Follow-up: {record.subject}",
            initial=record.model_dump(),
            fields=[*FOLLOW_UP_FIELDS, "outcome"],
            save=lambda changes: followups.update(book, activity_id, changes),
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
        Binding(
            "i",
            "checkin",
            "Check in/out",
            id="followups.checkin",
            tooltip="On a visit: check in (where you are), or check out (time spent)",
        ),
        Binding(
            "S",
            "survey",
            "Survey",
            show=False,  # the footer is full at 80 columns; ? (help) lists it
            id="followups.survey",
            tooltip="After a call or visit: how satisfied is the customer? (1-5)",
        ),
        sort_binding("followups"),
        *(
            Binding(key, f"view('{view}')", label, show=False, id=f"followups.view-{view}")
            for view, (label, key) in VIEWS.items()
        ),
    ]

    def __init__(self, book: Book, view: str = "open") -> None:
        super().__init__(book)
        self.view = view

    def base_filter(self) -> Filter:
        return view_filter(self.view, self.book.clock)

    def urgency_applies(self) -> bool:
        return getattr(self, "view", "open") != "done"

    def make_source(self) -> Any:
        from crm_tui.services import lists

        if self.by_urgency:
            return self.urgency_source(self.base_filter())
        done = self.view == "done"
        return lists.source(
            self.book,
            "activity",
            self.base_filter(),
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
        clock = self.book.clock

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
        return follow_up_style(self.book.clock, row)

    def on_mount(self) -> None:
        self.query_one("#followup-views", Tabs).can_focus = False
        self.query_one("#query", QueryBar).placeholder = "/ filter: kind:visit due:today..fri"
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

    def set_view(self, view: str | None) -> None:
        if view is not None and view != self.view:
            self.action_view(view)

    def show_follow_up(self, row_id: str) -> None:
        """Show one follow-up in its view (overdue, today, upcoming or done), the bar cleared,
        with the cursor on it: what `enter` on the desk or a reminder opens."""
        record = followups.get(self.book, row_id)
        if record is None:
            self.notify("That follow-up is gone (deleted or undone).", severity="warning")
            return
        self.clear_query()
        self.action_view(followups.view_of(record, self.book.clock))
        self.table.select_id(row_id)
        self.table.focus()

    def _current_id(self) -> str | None:
        row = self.table.current_row
        return None if row is None else str(row["id"])

    def action_done(self) -> None:
        if (row_id := self._current_id()) is not None:
            mark_done(self.app, self.book, row_id, lambda _: self._changed())

    def action_survey(self) -> None:  # issue 22: a score for the follow-up's customer
        row = self.table.current_row
        if row is not None:
            kind = row.get("kind") if row.get("kind") in ("call", "visit") else "other"
            open_survey(self.app, self.book, row["customer_id"], source=kind, activity_id=row["id"])

    def action_checkin(self) -> None:  # issue 18: screens/checkin.py
        from crm_tui.screens.checkin import toggle_checkin

        if (row_id := self._current_id()) is not None:
            toggle_checkin(self.app, self.book, row_id, self._changed)

    def action_new(self) -> None:
        from crm_tui.screens.forms import RecordForm

        self.app.push_screen(
            RecordForm(
                "activity",
                title="New follow-up",
                fields=FOLLOW_UP_FIELDS,
                initial={
                    "due_at": self.book.clock.day_start_utc(self.book.clock.today()),
                    "all_day": True,
                },
                save=lambda values: followups.create(self.book, values),
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
