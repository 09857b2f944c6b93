"""Provides `ReportsScreen` (key 6): the four reports as terminal charts with their numbers.

Reports are built in a thread worker on their own read-only sqlite3 connection and cached
per (report, period, scope); `[`/`]` step the period, `p` switches month/quarter/year, `t`
switches a manager between "mine" and "team", and Enter on a customer going cold opens it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from crm_tui.screens.base import CrmScreen
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import (
    campaign_roi,
    contact_log,
    insight,
    receivables,
    reports,
    service_stats,
)
from crm_tui.services.reports import (
    FORMATS,
    REPORT_NAMES,
    REPORT_TITLES,
    Period,
    Report,
    cell_text,
    render,
)
from crm_tui.widgets.charts import section_view

if TYPE_CHECKING:
    from crm_tui.services.book import Book

# The four built-in reports, then the receivables (issue 19: services.receivables).
TABS = (*REPORT_NAMES, "receivables", "campaigns")  # + issue 16: services.campaign_roi
TABS += ("contacts",)  # issue 17: services.contact_log (联系统计)
TABS += ("service",)  # issue 15: services.service_stats (服务统计)
TABS += ("field",)  # issue 18: services.field_report (visits and targets)
TABS += ("segments", "churn")  # issue 22: services.insight (客户细分, 流失)
TAB_KEYS = {
    "summary": "s",
    "customers": "c",
    "opportunities": "o",
    "expenses": "e",
    "receivables": "a",
    "campaigns": "m",
    "contacts": "l",
    "service": "v",
    "field": "f",
    "segments": "g",
    "churn": "k",
}
TAB_TITLES = {
    "summary": "Summary",
    "customers": "Customers",
    "opportunities": "Deals",
    "expenses": "Claims",
    "receivables": "Receivables",
    "campaigns": "Campaigns",
    "contacts": "Contacts",
    "service": "Service",
    "field": "Field work",
    "segments": "Segments",
    "churn": "Churn",
}
# In the screens' words (issue 13 item 11): deals and claims, not opportunities and expenses.
TITLES = {
    **REPORT_TITLES,
    "opportunities": "Deal analysis",
    "expenses": "Claim analysis",
    "receivables": "Receivables",
    "campaigns": "Campaigns",
    "contacts": "Contacts (联系统计)",
    "service": "Service statistics (服务统计)",
    "field": "Field work (拜访与目标)",
    "segments": "Customer segments (客户细分)",
    "churn": "Churn and customers at risk (客户流失)",
}
UNITS = ("month", "quarter", "year")


def _check_export_path(text: str) -> str | None:
    path = Path(text.strip()).expanduser()
    if path.suffix[1:] not in FORMATS:
        return "end the file name with .md, .csv or .html"
    if not path.parent.is_dir():
        return f"there is no folder {path.parent}"
    return None


class ReportsScreen(CrmScreen):
    """Work summary, customers, deals and claims for a period."""

    CSS_PATH: ClassVar[str] = "reports.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket",
            "step(-1)",
            "Prev",
            id="reports.prev",
            tooltip="The period before",
        ),
        Binding(
            "right_square_bracket",
            "step(1)",
            "Next",
            id="reports.next",
            tooltip="The period after",
        ),
        Binding(
            "p",
            "unit",
            "Month/qtr/year",
            id="reports.unit",
            tooltip="Report by month, quarter or year",
        ),
        Binding(
            "t",
            "team",
            "Team",
            id="reports.team",
            tooltip="Managers: switch between your figures and the team's",
        ),
        Binding(
            "x",
            "export",
            "Export",
            id="reports.export",
            tooltip="Write this report to a .md, .csv or .html file",
        ),
        Binding("r", "reload", "Reload", id="reports.reload", show=False),
        *(
            Binding(
                key,
                f"show_report('{name}')",
                TITLES[name],
                show=False,
                id=f"reports.tab-{name}",
            )
            for name, key in TAB_KEYS.items()
        ),
    ]

    def __init__(self, book: Book, *, period: Period | None = None, cold_days: int = 30) -> None:
        super().__init__(book)
        self.period = period or Period.containing(book.clock.today())
        self.team = False
        self.cold_days = cold_days
        self.current = "summary"
        self._cache: dict[tuple[str, str, bool], Report] = {}

    # --- layout ----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="reports-title")
        with TabbedContent(id="report-tabs", initial=self.current):
            for name in TABS:
                with TabPane(f"{TAB_TITLES[name]} \\[{TAB_KEYS[name]}]", id=name):
                    yield VerticalScroll(id=f"body-{name}", classes="report-body")

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self._cache:  # figures may have changed while another screen was in front
            self._cache.clear()
            self.load()

    # --- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "team" and not self.book.actor.manager:
            return False  # hidden: only managers see the team's figures, t does nothing for a rep
        return True

    def action_step(self, steps: int) -> None:
        self.period = self.period.shift(steps)
        self.load()

    def action_unit(self) -> None:
        unit = UNITS[(UNITS.index(self.period.unit) + 1) % len(UNITS)]
        self.period = Period.containing(self.period.start, unit)
        self.load()

    def action_team(self) -> None:
        self.team = not self.team
        self.load()

    def action_reload(self) -> None:
        self._cache.clear()
        self.load()

    def action_show_report(self, name: str) -> None:
        self.query_one("#report-tabs", TabbedContent).active = name

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id and event.pane.id != self.current:
            self.current = event.pane.id
            self.load()

    @on(DataTable.RowSelected)
    def _open_customer(self, event: DataTable.RowSelected) -> None:
        customer_id = event.row_key.value
        if customer_id is None:
            return
        self.shell.open_record("customer", customer_id)

    def action_export(self) -> None:
        report = self._cache.get((self.current, self.period.label, self.team))
        if report is None:
            self.notify("The report is still being worked out.", severity="warning")
            return
        initial = Path.cwd() / f"{report.name}-{report.period.label}-{report.scope}.md"

        def write(text: str | None) -> None:
            if not text:
                return
            path = Path(text).expanduser()
            try:
                path.write_text(render(report, path.suffix[1:]), encoding="utf-8")
            except OSError as exc:
                self.notify(f"Cannot write {path}: {exc.strerror or exc}", severity="error")
                return
            self.notify(f"Wrote {path}")

        self.app.push_screen(
            PromptScreen(
                "Export this report to (.md, .csv or .html)",
                str(initial),
                validate=_check_export_path,
            ),
            write,
        )

    def reload(self) -> None:
        self.action_reload()

    # --- loading ---------------------------------------------------------------------------
    @property
    def scope(self) -> str:
        return "team" if self.team else "mine"

    def load(self) -> None:
        self._show_title()
        key = (self.current, self.period.label, self.team)
        if key in self._cache:
            self._show(self._cache[key])
            return
        self.query_one(f"#body-{self.current}").loading = True
        self._build(self.current, self.period, self.team)

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def _build(self, name: str, period: Period, team: bool) -> Report:
        if name == "receivables":
            return receivables.build(self.book, period, team=team)
        if name == "campaigns":
            return campaign_roi.build(self.book, period, scope="team" if team else "mine")
        if name == "contacts":
            return contact_log.report(self.book, period, team=team)
        if name == "service":
            return service_stats.build(self.book, period, team=team)
        if name == "field":
            from crm_tui.services import field_report  # issue 18

            return field_report.build(self.book, period, team=team)
        if name in ("segments", "churn"):  # issue 22
            return insight.build_report(self.book, name, period, team=team)
        return reports.build(self.book, name, period, team=team, cold_days=self.cold_days)

    @on(Worker.StateChanged)
    def _built(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "reports":
            return
        if event.state is WorkerState.SUCCESS:
            report = event.worker.result
            assert isinstance(report, Report)
            self._cache[(report.name, report.period.label, report.scope == "team")] = report
            if report.name == self.current and report.period == self.period:
                self._show(report)
        elif event.state is WorkerState.ERROR:
            self.query_one(f"#body-{self.current}").loading = False
            self.notify(f"The report failed: {event.worker.error}", severity="error")

    # --- drawing ---------------------------------------------------------------------------
    def _show_title(self) -> None:
        title = TITLES[self.current]
        self.query_one("#reports-title", Static).update(
            f"[b]{title}[/b]  {self.period.label} · {self.scope}"
            "   [dim]\\[ ] period · p month/quarter/year"
            + (" · t mine/team" if self.book.actor.manager else "")
            + "[/dim]"
        )

    def _show(self, report: Report) -> None:
        body = self.query_one(f"#body-{report.name}", VerticalScroll)
        chart_width = 12 if self.size.width < 100 else 24
        widgets: list[Static | DataTable[str]] = []
        for sec in report.sections:
            if sec.key == "cold" and sec.rows:
                # A table with a cursor, so Enter opens the customer under it.
                widgets.append(Static(Text(sec.title, style="bold underline")))
                table: DataTable[str] = DataTable(cursor_type="row", classes="report-cold")
                table.add_columns(*sec.columns)
                for row, row_id in zip(sec.rows, sec.row_ids or [], strict=False):
                    table.add_row(*(cell_text(c, report.currency) for c in row), key=row_id)
                widgets.append(table)
                widgets.append(
                    Static(Text(sec.note or "", style="dim italic"), classes="report-section")
                )
            else:
                widgets.append(
                    Static(
                        section_view(sec, report.currency, chart_width), classes="report-section"
                    )
                )
        with self.app.batch_update():
            body.remove_children()
            body.mount_all(widgets)
            body.loading = False
