"""Provides the work reports' lists (日报 / 周报 / 月报, issue 17): `WorkReportsScreen`,
the reports on this laptop (mine and, for a manager or a recipient, those sent to me) on
the lazy table, newest period first, unread ones bold; and `TeamReportsScreen`, the
managers' team view of one kind and period — who has and has not submitted, unread first.

Keys: `n` writes today's daily report (`W` the week's, `M` the month's), `e` edits my
draft, `s` submits it, `enter` reads a report, `t` the team view (managers).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from crm_tui.domain.permissions import is_manager
from crm_tui.domain.work_report_specs import format_weekdays
from crm_tui.screens.base import CrmScreen, ListScreen
from crm_tui.screens.pickers import PromptScreen
from crm_tui.screens.work_report_form import ReportFormScreen, ReportReadScreen
from crm_tui.services import contact_log, work_reports
from crm_tui.services.book import Book
from crm_tui.widgets.deliver import deliver
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

STATUS_WORDS = {"draft": "draft", "submitted": "submitted"}


class WorkReportsScreen(ListScreen):
    """Reports by period, newest first."""

    entity = "work_report"
    noun = "reports"
    undo_entity = "work_report"
    CSS_PATH = "office.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "write('daily')", "Daily report", id="reports.daily"),
        Binding("W", "write('weekly')", "Weekly", id="reports.weekly"),
        Binding("M", "write('monthly')", "Monthly", id="reports.monthly"),
        Binding("e", "edit", "Edit draft", id="reports.edit"),
        Binding("s", "submit", "Submit", id="reports.submit", tooltip="Submit my draft"),
        Binding("t", "team", "Team view", id="reports.team", tooltip="Managers: who submitted"),
        Binding("slash", "focus_query", "Filter", id="reports.filter"),
        Binding("escape", "back", "Back", id="reports.back", tooltip="Close this list"),
    ]

    names: dict[str, str] = {}
    read_ids: set[str] = set()

    def make_source(self) -> Any:
        from crm_tui.services import lists

        return lists.source(
            self.book,
            self.entity,
            self.opening_filter(),
            order=("period_start", "id"),
            descending=True,
        )

    def columns(self) -> list[Column]:
        return [
            Column("period", "Period", 10),
            Column("kind", "Kind", 8),
            Column("owner_id", "Author", 14, text=self._author),
            Column("status", "Status", 10, text=self._status),
            Column("submitted_at", "Submitted", 12, text=self._when),
            Column("done", "What was done", 0, text=lambda r: _first_line(r.get("done"))),
        ]

    def _author(self, row: dict[str, Any]) -> str:
        owner = str(row.get("owner_id") or "")
        return "me" if owner == (self.book.user_id or "") else self.names.get(owner, "…")

    def _status(self, row: dict[str, Any]) -> str:
        status = str(row.get("status") or "")
        if status == "submitted" and self._unread(row):
            return "unread"
        return STATUS_WORDS.get(status, status)

    def _when(self, row: dict[str, Any]) -> str:
        return contact_log.local_text(self.book, row.get("submitted_at"))

    def _unread(self, row: dict[str, Any]) -> bool:
        mine = str(row.get("owner_id") or "") == (self.book.user_id or "")
        return not mine and row.get("status") == "submitted" and row["id"] not in self.read_ids

    def row_style(self, row: dict[str, Any]) -> str | None:
        return "bold" if self._unread(row) else None

    def compose_top(self) -> ComposeResult:
        yield Static(
            "Work reports (日报/周报/月报)   n daily · W weekly · M monthly · enter read",
            classes="section-summary",
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: kind:daily status:submitted"
        self._load_marks()

    @work(thread=True, exclusive=True, group="report-marks", exit_on_error=False)
    def _load_marks(self) -> None:
        names = {v: k for k, v in work_reports.team(self.book).items()}
        read_ids = work_reports.read_ids(self.book)
        deliver(self.app, self._show_marks, names, read_ids)

    def _show_marks(self, names: dict[str, str], read_ids: set[str]) -> None:
        self.names, self.read_ids = names, read_ids
        self.table.refresh()

    def reload(self) -> None:
        super().reload()
        self._load_marks()

    def _after_dialog(self, result: Any) -> None:
        self.reload()

    def action_write(self, kind: str) -> None:
        self.app.push_screen(ReportFormScreen(self.book, kind), self._after_dialog)

    def _my_row(self) -> dict[str, Any] | None:
        row = self.table.current_row
        if row is None:
            return None
        if str(row.get("owner_id") or "") != (self.book.user_id or ""):
            self.notify("Only its author changes a report; enter reads it.", severity="warning")
            return None
        return row

    def action_edit(self) -> None:
        row = self._my_row()
        if row is not None:
            screen = ReportFormScreen(self.book, str(row["kind"]), str(row["period"]))
            self.app.push_screen(screen, self._after_dialog)

    def action_submit(self) -> None:
        row = self._my_row()
        if row is None:
            return
        try:
            rec = work_reports.submit(self.book, str(row["id"]))
        except Exception as exc:  # noqa: BLE001 - said in a notification
            self.notify(contact_log.refusal(exc), severity="warning")
            return
        self.notify(f"Submitted: {rec.kind} {rec.period}; figures frozen.", timeout=3)
        self.reload()

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.app.push_screen(ReportReadScreen(self.book, event.row_id), self._after_dialog)

    def action_team(self) -> None:
        if not is_manager(self.book.role):
            self.notify(work_reports.NOT_MANAGER, severity="warning")
            return
        self.app.push_screen(TeamReportsScreen(self.book), self._after_dialog)

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()


def open_report(app: Any, book: Book, row_id: str) -> None:
    """A report to read, or (a reminder's '-': none written yet) today's to write."""
    if row_id and row_id != "-":
        app.push_screen(ReportReadScreen(book, row_id))
    else:
        app.push_screen(ReportFormScreen(book, "daily"))


def _first_line(text: Any) -> str:
    return str(text or "").strip().split("\n", 1)[0]


KINDS = ("daily", "weekly", "monthly")


class TeamReportsScreen(CrmScreen):
    """The team's reports of one kind and period: unread first, then drafts, then missing.
    `k` changes the kind, `[` / `]` the period, `enter` reads a submitted report, `R` sets
    when the kind is due."""

    CSS_PATH = "office.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "kind", "Kind", id="team_reports.kind"),
        Binding("left_square_bracket", "shift(-1)", "Earlier", id="team_reports.earlier"),
        Binding("right_square_bracket", "shift(1)", "Later", id="team_reports.later"),
        Binding("R", "rule", "Due rule", id="team_reports.rule", tooltip="When reports are due"),
        Binding("escape", "app.pop_screen", "Back", id="team_reports.back"),
    ]

    def __init__(self, book: Book, kind: str = "daily") -> None:
        super().__init__(book)
        self.kind = kind
        self.day = book.clock.today()
        self.rows: list[Any] = []

    def compose_body(self) -> ComposeResult:
        yield Static("", id="team-title", classes="section-summary")
        yield DataTable(id="team-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#team-table", DataTable)
        table.add_columns("Member", "Report", "Submitted", "Report id")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="team-reports", exit_on_error=False)
    def _load(self) -> None:
        p = work_reports.period(self.book, self.kind, self.day.isoformat())
        rows = work_reports.team_view(self.book, self.kind, p.label)
        deliver(self.app, self._show, p.label, rows)

    def _show(self, label: str, rows: list[Any]) -> None:
        self.rows = rows
        done = sum(r.status == "submitted" for r in rows)
        title = f"Team {self.kind} reports {label}: {done} of {len(rows)} submitted"
        self.query_one("#team-title", Static).update(f"{title}   k kind · [ ] period")
        table = self.query_one("#team-table", DataTable)
        table.clear()
        for r in rows:
            word = {"submitted": "read" if r.read else "UNREAD", "draft": "draft (not sent)"}
            style = "bold" if r.status == "submitted" and not r.read else ""
            if r.status == "missing":
                style = "red"
            when = f"{r.submitted_at:%m-%d %H:%M}" if r.submitted_at else ""
            cells = (r.name, word.get(r.status, "not written"), when, (r.report_id or "")[:13])
            table.add_row(*(Text(c, style=style) for c in cells), key=r.user_id)

    def action_kind(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self._load()

    def action_shift(self, steps: int) -> None:
        from datetime import timedelta

        p = work_reports.period(self.book, self.kind, self.day.isoformat())
        self.day = p.start + timedelta(days=-1) if steps < 0 else p.end
        self._load()

    def action_rule(self) -> None:
        """`R`: set when this kind is due (weekdays and a time: `mon-fri 18:00`)."""
        book, kind = self.book, self.kind
        current = {r.kind: r for r in work_reports.rules(book)}.get(kind)
        shown = f"{format_weekdays(current.weekdays)} {current.by:%H:%M}" if current else ""

        def validate(text: str) -> str | None:
            days, _, by = text.strip().rpartition(" ")
            if not days:
                return "weekdays, then the time: mon-fri 18:00"
            try:
                work_reports.set_rule(book, kind, days, by)
            except Exception as exc:  # noqa: BLE001 - shown in the dialog
                return contact_log.refusal(exc)
            return None

        def closed(result: str | None) -> None:
            if result is not None:
                self.notify(f"The {kind} report is due {result}.", timeout=3)

        self.app.push_screen(
            PromptScreen(f"When is the {kind} report due?", shown, "mon-fri 18:00", validate),
            closed,
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        found = [r for r in self.rows if r.user_id == event.row_key.value]
        if found and found[0].report_id:
            self.app.push_screen(ReportReadScreen(self.book, found[0].report_id), self._after_read)
        else:
            self.notify("No submitted report to read.", timeout=2)

    def _after_read(self, _: Any) -> None:
        self._load()
