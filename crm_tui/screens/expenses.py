"""Provides `ExpensesScreen`: the rep's claims with their status, and the submit flow.

Drafts (and rejected claims being reworked) are edited with `e`; `s` submits a claim for
approval after a confirmation; a submitted claim is locked until `w` withdraws it. The line
at the top totals the claims by status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from crm_tui.domain.fields import ValidationErrors
from crm_tui.domain.money import format_money
from crm_tui.domain.rules import ExpenseStatus, expense_is_editable
from crm_tui.screens.base import ListScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.opportunities import money_cell, refresh_status
from crm_tui.screens.pickers import ConfirmScreen, check_receipt
from crm_tui.services import expenses
from crm_tui.services.book import Book
from crm_tui.widgets.deliver import deliver
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

CLAIM_FIELDS = [
    "spent_on",
    "category",
    "amount",
    "customer_id",
    "opportunity_id",
    "campaign_id",  # issue 16: the campaign's cost is its claims
    "description",
    "receipt",
]


def checked_claim(book: Any, save: Any) -> Any:
    """`save` behind a check that the receipt file exists, reported beside the field; the
    file becomes an attachment on the claim."""
    return expenses.with_receipt(book, save, check_receipt)


def _spent_cell(row: dict[str, Any]) -> str:
    value = row.get("spent_on")
    return value.isoformat() if value is not None else ""


class ExpensesScreen(ListScreen):
    """Claims by the day the money was spent; `s` submits, `w` withdraws."""

    entity = "expense"
    noun = "claims"
    undo_entity = "expense"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New claim", id="expenses.new", tooltip="Add an expense claim"),
        Binding("e", "edit", "Edit", id="expenses.edit", tooltip="Edit a draft claim"),
        Binding(
            "s", "submit", "Submit", id="expenses.submit", tooltip="Submit the claim for approval"
        ),
        Binding(
            "w",
            "withdraw",
            "Withdraw",
            id="expenses.withdraw",
            tooltip="Take a submitted claim back to draft",
        ),
        Binding(
            "slash",
            "focus_query",
            "Filter",
            id="expenses.filter",
            tooltip="Filter with the query language, e.g. status:draft category:travel",
        ),
        Binding("escape", "focus_table", "List", show=False),
    ]

    def make_source(self) -> Any:
        from crm_tui.services import lists

        return lists.source(self.book, self.entity, self.base_filter(), descending=True)

    def columns(self) -> list[Column]:
        return [
            Column("spent_on", "Date", 10, text=_spent_cell),
            Column("category", "Category", 13),
            Column("amount", "Amount", 13, "right", money_cell),
            Column("status", "Status", 10),
            Column("customer_name", "Customer", 0),
            Column("description", "Description", 0),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("", id="expense-totals", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: status:draft category:travel"
        self.show_totals()

    def show_totals(self) -> None:
        self._load_totals()

    @work(thread=True, exclusive=True, group="expense-totals", exit_on_error=False)
    def _load_totals(self) -> None:
        line = expenses.totals_line(self.book)
        deliver(self.app, self.query_one("#expense-totals", Static).update, line)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "expense-totals" and event.state is WorkerState.ERROR:
            self.notify(f"Cannot total the claims: {event.worker.error}", severity="error")

    def reload(self) -> None:
        super().reload()
        self.show_totals()

    def _current(self) -> Any:
        """The highlighted claim, or None after saying why there is none."""
        table = self.table
        if not table.loaded or table.row_count == 0:
            self.notify(
                "No claim to act on: the list is empty." if table.loaded else "Loading the claims…",
                severity="warning",
                timeout=3,
            )
            return None
        row = table.current_row
        if row is None:  # its page is on its way
            self.notify("That claim is still loading; try again.", severity="warning", timeout=3)
            return None
        claim = expenses.get(self.book, str(row["id"]))
        if claim is None:
            self.notify("That claim is gone (deleted or undone).", severity="warning")
        return claim

    # --- actions ---------------------------------------------------------------------------
    def action_new(self) -> None:
        self.app.push_screen(
            RecordForm(
                "expense",
                title="New expense claim",
                fields=CLAIM_FIELDS,
                initial={"spent_on": self.book.clock.today()},
                save=checked_claim(self.book, lambda values: expenses.create(self.book, values)),
                book=self.book,
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        claim = self._current()
        if claim is not None:
            self._edit(claim)

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        claim = expenses.get(self.book, event.row_id)
        if claim is not None:
            self._edit(claim)

    def _edit(self, claim: Any) -> None:
        if not expense_is_editable(ExpenseStatus(claim.status)):
            hint = " Press w to withdraw it first." if claim.status == "submitted" else ""
            self.notify(f"This claim is {claim.status}, so it is locked.{hint}", severity="warning")
            return
        book = self.book
        self.app.push_screen(
            RecordForm(
                "expense",
                title="Edit claim",
                initial=claim.model_dump(),
                fields=CLAIM_FIELDS,
                save=checked_claim(book, lambda changes: expenses.update(book, claim.id, changes)),
                book=book,
            ),
            self._saved,
        )

    def action_submit(self) -> None:
        claim = self._current()
        if claim is None:
            return
        if claim.status not in ("draft", "rejected"):
            self.notify(
                f"Only a draft or rejected claim can be submitted; this one is {claim.status}.",
                severity="warning",
            )
            return
        money = format_money(claim.amount, claim.currency)
        question = f"Submit the {claim.category} claim of {money} for approval?"

        def answer(yes: bool | None) -> None:
            if yes:
                self._command(expenses.submit, claim.id, "Submitted for approval.")

        self.app.push_screen(ConfirmScreen(question), answer)

    def action_withdraw(self) -> None:
        claim = self._current()
        if claim is None:
            return
        if claim.status != "submitted":
            self.notify(
                f"Only a submitted claim can be withdrawn; this one is {claim.status}.",
                severity="warning",
            )
            return
        self._command(expenses.withdraw, claim.id, "Withdrawn: back to draft.")

    def _command(self, run: Callable[[Book, str], Any], row_id: str, message: str) -> None:
        try:
            run(self.book, row_id)
        except ValidationErrors as exc:
            self.notify(str(exc.errors[0].message), severity="error")
            return
        self.notify(message)
        self.reload()
        refresh_status(self.app)

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify("Claim saved.")
            self.reload()
            refresh_status(self.app)
