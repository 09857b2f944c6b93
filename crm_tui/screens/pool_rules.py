"""Provides `PoolRulesScreen` (公海规则, issue 18): the team's pool rules per grade — the
default (*) and A/B/C — release after days without a done follow-up / an open deal, whether
won customers and those with an open deal are exempt, the warning days, the per-rep cap
(the team's, on the * row) and the reclaim wait. Managers edit a grade with `e`/enter (a
form that refuses a non-number or a negative beside the field); reps see them read-only.
Saved through `services.pool.set_rule`, as `crm pool-rules` does, and synced the same way.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from crm_tui.domain.permissions import why_not_set_pool_rules
from crm_tui.domain.pool_rules import DEFAULT_GRADE
from crm_tui.screens.base import CrmScreen
from crm_tui.services import pool
from crm_tui.widgets.deliver import deliver

COLUMNS = (
    ("Grade", "grade"),
    ("No follow-up", "followup_days"),
    ("No deal", "deal_days"),
    ("Won ex.", "exempt_won"),
    ("Deal ex.", "exempt_open_deal"),
    ("Warn", "warn_days"),
    ("Cap", "cap"),
    ("Reclaim", "reclaim_days"),
)
FIELDS = [name for _, name in COLUMNS[1:]]
LEGEND = "\n".join(
    (
        "No follow-up / No deal: released to the pool after this many days without a done"
        " follow-up / an open deal (off: never)",
        "Won ex. / Deal ex.: exempt — a customer with a won deal / an open deal stays put",
        "Warn: the desk warns this many days before · Cap: customers one rep may own (the"
        " team's, on the * row) · Reclaim: days a previous owner waits to claim it back",
        "(as *): a grade without its own rules follows the * row",
    )
)


def grade_title(grade: str) -> str:
    return "* (all)" if grade == DEFAULT_GRADE else grade


def cells(grade: str, rule: Any, own: bool) -> list[str]:
    """One grade's row as shown: days, yes/no, off for a clock switched off."""
    shown = [grade_title(grade) + ("" if own or grade == DEFAULT_GRADE else " (as *)")]
    for name in FIELDS:
        value = getattr(rule, name)
        if name == "cap" and grade != DEFAULT_GRADE:
            shown.append("—")  # one cap for the team: the * row's
        elif isinstance(value, bool):
            shown.append("yes" if value else "no")
        elif value == 0 and name in ("followup_days", "deal_days", "cap"):
            shown.append("off" if name != "cap" else "none")
        else:
            shown.append(f"{value} d" if name.endswith("days") else str(value))
    return shown


class PoolRulesScreen(CrmScreen):
    """The pool rules per grade; managers edit."""

    DEFAULT_CSS = """
    PoolRulesScreen .section-summary { height: auto; padding: 0 1; background: $boost; }
    PoolRulesScreen #rules { height: auto; max-height: 1fr; }
    PoolRulesScreen #rules-legend { height: 1fr; padding: 1 1 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit grade", id="poolrules.edit", tooltip="Managers: edit"),
        # a rep's `e` (edit is hidden from the footer) still says why it is read-only
        Binding(
            "e",
            "read_only",
            "Why read-only",
            show=False,
            id="poolrules.read_only",
            tooltip="A manager edits the pool rules",
        ),
        Binding("escape", "back", "Back", id="poolrules.back", tooltip="Close the pool rules"),
    ]

    def __init__(self, book: Any) -> None:
        super().__init__(book)
        self.rows: list[tuple[str, Any, bool]] = []

    @property
    def why_read_only(self) -> str | None:
        return why_not_set_pool_rules(self.book.actor)

    def compose_body(self) -> ComposeResult:
        yield Static(id="rules-title", classes="section-summary")
        table: DataTable[str] = DataTable(id="rules", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(LEGEND, id="rules-legend", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#rules", DataTable)
        for title, _ in COLUMNS:
            table.add_column(title, key=title)
        table.focus()
        self.load()

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="pool-rules", exit_on_error=False)
    def load(self) -> None:
        found = pool.rule_rows(self.book)
        deliver(self.app, self.show, found)

    def show(self, found: list[tuple[str, Any, bool]]) -> None:
        self.rows = found
        table = self.query_one("#rules", DataTable)
        at = table.cursor_row
        table.clear()
        for grade, rule, own in found:
            table.add_row(*cells(grade, rule, own), key=grade)
        table.move_cursor(row=min(at, len(found) - 1))
        why = self.why_read_only
        self.query_one("#rules-title", Static).update(
            "Pool rules (公海规则) — "
            + ("e or enter edits the highlighted grade" if why is None else f"read-only: {why}")
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only a manager is offered "e Edit grade" in the footer."""
        if action == "edit":
            return self.why_read_only is None
        if action == "read_only":
            return self.why_read_only is not None
        return True

    def action_read_only(self) -> None:
        self.notify(f"Read-only: {self.why_read_only}.", severity="warning", timeout=4)

    @on(DataTable.RowSelected, "#rules")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        if self.why_read_only is not None:
            self.action_read_only()
            return
        table = self.query_one("#rules", DataTable)
        if not self.rows or table.cursor_row < 0:
            return
        grade, rule, own = self.rows[table.cursor_row]
        from crm_tui.screens.forms import RecordForm

        initial: dict[str, Any] = {name: getattr(rule, name) for name in FIELDS}
        if own:  # an edit passes only what changed; a new grade row starts from the rule in force
            initial["id"] = grade
        fields = FIELDS if grade == DEFAULT_GRADE else [f for f in FIELDS if f != "cap"]
        book = self.book
        self.app.push_screen(
            RecordForm(
                "pool_rule",
                title=f"Pool rules for grade {grade_title(grade)}",
                initial=initial,
                fields=fields,
                save=lambda texts: pool.set_rule_from_form(book, grade, texts),
                book=book,
            ),
            self._saved,
        )

    def _saved(self, result: Any) -> None:
        if result is None:
            return
        self.notify("Pool rules saved; the team gets them at the next sync.", timeout=4)
        self.load()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
