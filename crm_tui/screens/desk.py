"""Provides `DeskScreen`: today's desk, painted from plain sqlite3 before the ORM loads.

Overdue follow-ups, the week's schedule, birthdays, deals closing soon, recent customers
and contacts, announcements and this month's numbers; `enter` opens any item.

The first frame shows the first read (overdue, the week, this month: services/desk.py
`first`, usually read by the launcher while Textual imported); the other sections and the
panels of the other modules fill in after it, from the load worker. Their modules are
imported there, not here: this module is on the path to the first frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from crm_tui.domain.dates import Clock
from crm_tui.domain.money import format_money
from crm_tui.screens.crm_screen import CrmScreen
from crm_tui.services import desk as desk_service
from crm_tui.services.desk import Desk, DeskItem
from crm_tui.widgets.cells import fit
from crm_tui.widgets.deliver import deliver

# section id -> (title, what an empty section says)
SECTIONS: dict[str, tuple[str, str]] = {
    "overdue": ("Overdue", "Nothing overdue."),
    "schedule": ("Today and the next 7 days", "Nothing scheduled."),
    "closing": ("Deals closing in 14 days", "No deals close soon."),
    "birthdays": ("Birthdays this week", "No birthdays this week."),
    "recent": ("Recently added", "Nobody added yet."),
    "announcements": ("Announcements", "No announcements."),
}
# Sections the first read leaves out: "…" until the rest is read (never "nothing").
LATER = ("closing", "birthdays", "recent", "announcements")
READING = "…"
WHEN_CELLS = 11
# section -> how many rows its full list has ("all N →" when the panel shows fewer)
ALL_OF = {
    "overdue": lambda desk: desk.overdue_total,
    "schedule": lambda desk: desk.schedule_total,
    "closing": lambda desk: desk.closing_total,
}
# section -> (list section, follow-ups view, query) that "all N →" opens
FULL_LIST: dict[str, tuple[str, str | None, str]] = {
    "overdue": ("followups", "overdue", ""),
    "schedule": ("followups", "open", "due:today..+7d"),
    "closing": ("opportunities", None, "stage:open close:today..+14d"),
}


class DeskList(OptionList):
    """One desk section: an item per line, `enter` opens it."""

    BINDING_GROUP_TITLE = "The desk panel"

    def show(self, items: list[DeskItem], empty: str, total: int | None = None) -> None:
        """The items, and "all N →" (opening the full list) when `total` is more."""
        keep = self.highlighted or 0  # a refresh keeps the rep's place
        self.clear_options()
        if not items:
            self.add_option(Option(Text(empty, style="dim"), disabled=True))
            return
        if total is not None and total > len(items):
            items = [*items, DeskItem("more", str(self.id), "", f"all {total:,} →")]
        seen: set[str] = set()
        for item in items:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(fit(item.when, WHEN_CELLS), style="bold")
            line.append(" ")
            line.append(item.text)
            if item.detail:
                line.append("  " + item.detail, style="dim")
            option_id = f"{item.entity}:{item.id}:{item.customer_id or ''}"
            while option_id in seen:  # two instalments of one contract: both lines stay
                option_id += "#"
            seen.add(option_id)
            self.add_option(Option(line, id=option_id))
        self.highlighted = min(keep, len(items) - 1)

    @property
    def current_item(self) -> tuple[str, str] | None:
        """(entity, id) of the highlighted line."""
        index = self.highlighted
        if index is None or not 0 <= index < self.option_count:
            return None
        option = self.get_option_at_index(index)
        if option.disabled or option.id is None:
            return None
        entity, row_id, _ = option.id.split(":", 2)
        return entity, row_id


class MonthNumbers(Static, can_focus=True):
    """The month's figures; focusable so tab reaches it (and scrolls it into view) when
    the desk is taller than the terminal."""


class AnnouncementView(ModalScreen[None]):
    """Read one announcement; escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.heading = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="announcement"):
            yield Static(Text(self.heading, style="bold"), id="announcement-title")
            # Imported here: markdown-it and pygments cost a fifth of the cold start.
            from textual.widgets import Markdown

            yield Markdown(self.body or "_(no text)_")


class DeskScreen(CrmScreen):
    """What to do now: the first screen of the app."""

    RESTYLE_ON_FIRST_SHOW = False  # on the path to the app's first frame
    # Textual focuses the first focusable widget (the scrolling grid) as the screen mounts,
    # restyling all it holds; the first panel is where the focus goes anyway.
    AUTO_FOCUS = "#overdue"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Refresh", id="desk.refresh", tooltip="Read the desk again"),
        Binding(
            "x",
            "done",
            "Done",
            id="desk.done",
            tooltip="Mark the highlighted follow-up done: outcome, then the next one",
        ),
    ]

    class Painted(Message):
        """The desk shows its first data (the app then loads the rest)."""

    def __init__(self, path: Path, clock: Clock) -> None:
        super().__init__()
        self.path = path
        self.clock = clock
        self.desk: Desk | None = None
        self._first: Desk | None = None  # shown before the load worker ran
        self._painted = False

    def compose_body(self) -> ComposeResult:
        yield Static(id="desk-title")
        with VerticalScroll(id="desk"), Grid(id="desk-grid"):
            for section, (title, _) in SECTIONS.items():
                options = DeskList(id=section, classes="desk-section")
                options.border_title = title
                yield options
                if section == "closing":
                    # Beside the deals, not last: at 120x40 full panels pushed it below the
                    # fold, where its rows were cut.
                    numbers = MonthNumbers(id="numbers", classes="desk-section")
                    numbers.border_title = "This month so far"
                    yield numbers

    def on_mount(self) -> None:
        today = self.clock.today()
        self.query_one("#desk-title", Static).update(
            Text.assemble(("Today's desk", "bold"), f"  {today:%A %d %B %Y}")
        )
        # The launcher's read, if it is done: the first frame then has the figures. Never
        # waited for here; the worker waits for it otherwise.
        self._first = desk_service.prefetched(self.path, self.clock)
        if self._first is None:
            self.load()
            return
        self.show(self._first)
        # The rest after the first frame: its worker would hold the GIL while it is drawn.
        self.call_after_first_frame(self.load)

    def on_screen_resume(self) -> None:
        if self._painted:  # back from another screen (not the first showing: on_mount reads)
            self.load()

    def reload(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="desk", exit_on_error=False)
    def load(self) -> Desk:
        worker = get_current_worker()
        # Each read is shown only if no newer read started meanwhile: the `x` flow reloads
        # three times, and on a busy machine the read begun before the change can finish last.
        ui = partial(deliver, self.app)
        first, self._first = self._first, None
        if first is None:
            first = desk_service.first(self.path, self.clock)
            ui(self.show, first)
        desk = desk_service.rest(self.path, self.clock, first)
        ui(self.show, desk)
        for panel in self._panels(ui):
            if worker.is_cancelled:  # the app is closing (it waits for this thread) or a
                break  # newer read runs: the other panels are not read
            panel()
        return desk

    def _panels(self, ui: Callable[..., None]) -> Iterator[Callable[[], None]]:
        """Read and show, one by one, the panels of the other modules (from the load
        worker's thread: each reads with plain sqlite3, then shows on the UI thread through
        `ui`, which drops a superseded read)."""
        yield lambda: ui(self.show_pinned, desk_service.pinned(self.path))

        def at_risk() -> None:  # issue 22: in a worker of its own
            from crm_tui.screens.insight import load_at_risk

            ui(load_at_risk, self, DeskList)

        def payments() -> None:  # issue 19
            from crm_tui.services import receivables

            due = receivables.due_at(self.path, self.clock, within_days=7, limit=8)
            ui(self.show_payments, due)

        def pool_and_targets() -> None:  # issue 18
            from crm_tui.screens.field_desk import show_going, show_targets
            from crm_tui.services import pool_soon, targets

            leaving = pool_soon.going_to_pool(self.path, self.clock, limit=8)
            ui(show_going, self, leaving, DeskList)
            ui(show_targets, self, *targets.desk_lines(self.path, self.clock))

        def office() -> None:  # issue 17
            from crm_tui.screens.office_desk import show_office
            from crm_tui.services import office_desk

            ui(show_office, self, office_desk.load(self.path, self.clock), DeskList)

        def campaigns() -> None:  # issue 16
            from crm_tui.screens.campaign_panel import show_campaigns
            from crm_tui.services import campaign_desk

            ui(show_campaigns, self, campaign_desk.this_week(self.path, self.clock), DeskList)

        def service() -> None:  # issue 15
            from crm_tui.screens.service_desk import show_service
            from crm_tui.services import service_desk

            ui(show_service, self, service_desk.desk(self.path, self.clock), DeskList)

        yield from (at_risk, payments, pool_and_targets, office, campaigns, service)

    def show(self, desk: Desk) -> None:
        """Show a read; a first read (`desk.complete` False) leaves the other sections as
        they are ("…" before anything was read)."""
        first = self.desk is None
        self.desk = desk if desk.complete or self.desk is None else self._merged(desk)
        for section, (title, empty) in SECTIONS.items():
            items: list[DeskItem] = getattr(desk, section)
            widget = self.query_one(f"#{section}", DeskList)
            if section in LATER and not desk.complete:
                if first:
                    widget.show([], READING)
                    widget.border_title = title
                continue
            widget.show(items, empty, ALL_OF.get(section, lambda _: None)(desk))
            if section == "overdue" and desk.overdue_total:
                widget.border_title = f"{title} ({desk.overdue_total:,})"
            else:
                widget.border_title = title
        table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
        table.add_column("", ratio=1, no_wrap=True)
        this, last = desk.periods  # month to date against the same days of last month
        table.add_column(this, justify="right", no_wrap=True)
        table.add_column(last, justify="right", style="dim", no_wrap=True)
        for figure in desk.numbers:
            arrow = "" if figure.up is None else (" ▲" if figure.up else " ▼")
            style = "" if figure.up is None else ("green" if figure.up else "red")
            table.add_row(
                figure.label, Text(figure.this_month + arrow, style=style), figure.last_month
            )
        self.query_one("#numbers", Static).update(table)
        if first:
            self._focus_first()
        if desk.complete and not self._painted:
            # Posted once the desk's own sections are all read: the app then loads the ORM.
            self._painted = True
            focused = self.focused
            if not isinstance(focused, DeskList) or focused.current_item is None:
                self._focus_first()
            self.post_message(self.Painted())

    def _merged(self, first: Desk) -> Desk:
        """A re-read's first half over the sections shown now (the rest follows)."""
        from dataclasses import replace

        assert self.desk is not None
        keep = {name: getattr(self.desk, name) for name in (*LATER, "closing_total")}
        return replace(first, **keep, complete=True)

    def _focus_first(self) -> None:
        for section in SECTIONS:
            widget = self.query_one(f"#{section}", DeskList)
            if any(not option.disabled for option in widget.options):
                widget.focus()
                return
        self.query_one("#overdue", DeskList).focus()

    def show_pinned(self, views: list) -> None:
        """Saved views pinned to the desk (crm_tui/query/views.py); the section appears once
        a view is pinned. `enter` opens the view's screen with its query."""
        found = self.query("#views")
        if not views:
            found.remove()
            return
        widget = found.first(DeskList) if found else DeskList(id="views", classes="desk-section")
        widget.border_title = "Pinned views"
        if not found:
            self.query_one("#desk-grid").mount(widget)
        widget.clear_options()
        for view in views:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(view.name, style="bold")
            line.append("  " + view.query, style="dim")
            widget.add_option(Option(line, id=f"view:{view.screen}:{view.query}"))

    def show_payments(self, due: list) -> None:
        """Instalments overdue or due within 7 days (issue 19); the section appears only
        when there is one. `enter` opens the contract."""
        found = self.query("#payments")
        if not due:
            found.remove()
            return
        widget = found.first(DeskList) if found else DeskList(id="payments", classes="desk-section")
        widget.border_title = "Payments due / overdue"
        if not found:
            self.query_one("#desk-grid").mount(widget, before=self.query_one("#numbers"))
        items = [
            DeskItem(
                "contract",
                row.contract_id,
                f"{row.days_overdue}d late" if row.days_overdue else f"{row.due_on:%a %m-%d}",
                f"{row.customer} {format_money(row.outstanding, row.currency)}",
                f"{row.contract_number} {row.label}",
            )
            for row in due
        ]
        widget.show(items, "")

    def _run_view(self, query: str) -> None:
        run = getattr(self.app.screen, "run_view", None)
        if callable(run):
            run(query)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if str(event.option.id).startswith("view:"):
            from crm_tui.services.views import SECTION_OF_SCREEN

            _, screen, query = str(event.option.id).split(":", 2)
            self.shell.show_section(SECTION_OF_SCREEN[screen])
            self.app.call_after_refresh(self._run_view, query)
            return
        entity, row_id, customer_id = str(event.option.id).split(":", 2)
        if entity == "contract":
            if not self.shell.book_ready:
                self.notify("Opening the database…", timeout=2)
                return
            from crm_tui.screens.contracts import ContractScreen  # loads the ORM: after the paint

            self.app.push_screen(ContractScreen(self.shell.book, row_id))
            return
        if entity == "campaign":  # issue 16: screens/campaign_panel.py
            from crm_tui.screens.campaign_panel import open_campaign

            open_campaign(self, row_id)
            return
        if entity == "more":
            if row_id == "at-risk":  # issue 22: screens/insight.py
                from crm_tui.screens.insight import AT_RISK_QUERY

                self.shell.show_list("customers", AT_RISK_QUERY)
                return
            section, view, query = FULL_LIST[row_id]
            self.shell.show_list(section, query, view)
            return
        self.shell.open_record(entity, row_id, customer_id or None)

    def action_done(self) -> None:
        """`x`: the follow-up under the cursor is done (the same flow as the list's `x`)."""
        focused = self.focused
        item = focused.current_item if isinstance(focused, DeskList) else None
        if item is None or item[0] != "activity":
            self.notify("Highlight a follow-up (Overdue or the next 7 days) first.", timeout=3)
            return
        if not self.shell.book_ready:
            self.notify("Opening the database…", timeout=2)
            return
        from crm_tui.screens.followups import mark_done  # loads the ORM: after the paint

        mark_done(self.app, self.shell.book, item[1], lambda _: self.load())
