"""Provides `TargetsScreen` (issue 18): this month's figures against the targets — yours and
the team's (a manager sees every rep with a target) — each with a bar and the pace needed
per remaining day; `[` and `]` step through the months. A manager sets the month's
targets with `e` (pick the team or a rep, then a form of the four figures: money as typed,
50万 or 500k; counts), as `crm targets set NAME --month 2026-12 --won 500k --visits 40` does.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from crm_tui.domain.dates import add_months
from crm_tui.screens.base import CrmScreen
from crm_tui.services import targets
from crm_tui.widgets.board import short_money
from crm_tui.widgets.deliver import deliver

# the desk's half-width panel: shorter names for the four figures (same order as the report)
SHORT_LABELS = {
    "won": "Won",
    "new_customers": "New cust.",
    "visits": "Visits",
    "payments": "Collected",
}
# from most to least detailed: (short labels, money as, bar width); the first that fits wins
_DETAILS: tuple[tuple[bool, str, int], ...] = (
    (False, "full", 10),
    (True, "full", 10),
    (True, "whole", 10),
    (True, "whole", 5),
    (True, "short", 5),
    (True, "short", 0),
)


def _show(line: Any, value: int | None, currency: str, money: str = "full") -> str:
    """A figure; money as `money` says (full, whole units, or short: ¥3.2M)."""
    if value is None:
        return ""
    return short_money(value, currency, 10**6, money) if line.money else f"{value:,}"


def _table(lines: list[Any], currency: str, title: str, detail: int) -> Table:
    short, money, width = _DETAILS[detail]
    labels = [SHORT_LABELS.get(x.key, x.label) if short else x.label for x in lines]
    table = Table(box=None, padding=(0, 1), show_edge=False, title=title or None)
    # the label is what tells the rows apart: never squeezed below its longest name
    table.add_column("", no_wrap=True, min_width=max(map(cell_len, labels), default=0))
    table.add_column("done", justify="right", no_wrap=True)
    table.add_column("target", justify="right", style="dim", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("per day", justify="right", no_wrap=True)
    for label, line in zip(labels, lines, strict=True):
        share = line.share
        style = "" if share is None else ("green" if share >= 1 else "yellow")
        shown = "" if share is None else f"{targets.bar(share, width)} {share:.0%}".lstrip()
        table.add_row(
            label,
            _show(line, line.actual, currency, money),
            _show(line, line.target, currency, money),
            Text(shown, style=style),
            _show(line, line.pace, currency, money),
        )
    return table


class _Fitted:
    """The most detailed progress table that fits the width it is drawn in: the Targets
    screen shows it all; the desk's half-width panel gets short labels, whole or short
    money and a shorter bar rather than labels squeezed to nothing and figures cut off."""

    def __init__(self, lines: list[Any], currency: str, title: str) -> None:
        self.lines, self.currency, self.title = lines, currency, title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for detail in range(len(_DETAILS)):
            table = _table(self.lines, self.currency, self.title, detail)
            wanted = Measurement.get(console, options.update_width(10_000), table).maximum
            if wanted <= options.max_width:
                break
        table.expand = True
        yield table


def progress_table(lines: list[Any], currency: str, *, title: str = "") -> RenderableType:
    """Figure | done | target | bar and share | needed per day, as detailed as the width
    allows (labels always shown)."""
    return _Fitted(lines, currency, title)


class TargetsScreen(CrmScreen):
    """Monthly targets against what was done."""

    CSS_PATH = "sections.tcss"
    DEFAULT_CSS = (
        "TargetsScreen .section-summary { height: auto; padding: 0 1; background: $boost; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "month(-1)", "Previous month", id="targets.prev"),
        Binding("right_square_bracket", "month(1)", "Next month", id="targets.next"),
        Binding("e", "set_targets", "Set targets", id="targets.set", tooltip="Managers"),
        # a rep's `e` (set is hidden from the footer) still says who sets them
        Binding(
            "e",
            "who_sets",
            "Who sets targets",
            show=False,
            id="targets.who_sets",
            tooltip="A manager sets them",
        ),
        Binding("escape", "back", "Back", id="targets.back", tooltip="Close the targets"),
    ]

    def __init__(self, book: Any) -> None:
        super().__init__(book)
        self.month: date = book.clock.today().replace(day=1)

    def compose_body(self) -> ComposeResult:
        yield Static(id="targets-title", classes="section-summary")
        with VerticalScroll(id="targets-body"):
            yield Static("Loading…", id="targets")

    def on_mount(self) -> None:
        self.load()

    def reload(self) -> None:
        self.load()

    def action_month(self, step: int) -> None:
        self.month = add_months(self.month, step)
        self.load()

    @work(thread=True, exclusive=True, group="targets", exit_on_error=False)
    def load(self) -> None:
        book = self.book
        found = targets.progress(book, f"{self.month:%Y-%m}", everyone=book.actor.manager)
        deliver(self.app, self.show, found)

    def show(self, found: list[Any]) -> None:
        currency = self.book.input_context.currency
        self.query_one("#targets-title", Static).update(
            Text.assemble(
                ("Targets", "bold"),
                f"  {self.month:%B %Y}   [ ] other months",
                "   e sets targets" if self.book.actor.manager else "",
            )
        )
        body = Table.grid(expand=True)
        body.add_column(ratio=1)
        for who in found:
            if not any(line.target for line in who.lines):
                how = "e sets them" if self.book.actor.manager else "your manager sets them"
                body.add_row(Text(f"{who.who}: no targets set for this month ({how})", style="dim"))
                continue
            body.add_row(progress_table(who.lines, currency, title=who.who))
        self.query_one("#targets", Static).update(body)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only a manager is offered "e Set targets" in the footer."""
        if action == "set_targets":
            return self.book.actor.manager
        if action == "who_sets":
            return not self.book.actor.manager
        return True

    def action_who_sets(self) -> None:
        self.notify("Only a manager sets targets; these are yours to meet.", severity="warning")

    def action_set_targets(self) -> None:
        """`e`: pick the team or a rep, then edit that month's figures (managers)."""
        if not self.book.actor.manager:
            self.action_who_sets()
            return
        from crm_tui.screens.pickers import ChoiceScreen

        names = sorted(self.book.db.repos.users.members())
        who = [targets.TEAM, *names]
        title = f"Set targets for {self.month:%B %Y}: whose?"

        def picked(choice: tuple[str, str] | None) -> None:
            if choice:
                self._edit_targets(choice[0])

        self.app.push_screen(ChoiceScreen(title, who, allow_other=False, note=False), picked)

    def _edit_targets(self, who: str) -> None:
        from crm_tui.screens.forms import RecordForm

        book, month = self.book, f"{self.month:%Y-%m}"
        row = targets.current_target(book, who, month)
        initial = row.model_dump() if row is not None else {}
        self.app.push_screen(
            RecordForm(
                "target",
                title=f"Targets for {who}, {self.month:%B %Y}",
                initial=initial,
                fields=list(targets.FIGURES),
                save=lambda texts: targets.set_target_from_form(book, who, month, texts),
                book=book,
            ),
            self._saved,
        )

    def _saved(self, result: Any) -> None:
        if result is not None:
            self.notify("Targets saved; the team gets them at the next sync.", timeout=4)
            self.load()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
