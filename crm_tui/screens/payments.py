"""Provides `PaymentsScreen`: every instalment of every payment plan (回款计划) on the lazy
table, earliest due first, with the `/` bar (`due:overdue`, `due<eom`, `amount>5万`…).

`o` shows only the open ones overdue, `$` records a payment against the chosen
instalment, `enter` opens its contract.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from crm_tui.domain.filter import Compare, Filter, IsEmpty
from crm_tui.domain.sales_docs import instalment_state
from crm_tui.screens.base import ListScreen
from crm_tui.screens.contracts import ContractScreen, money_cell, refusal
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import payment_text, payments
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable


class PaymentsScreen(ListScreen):
    """Instalments by due date; overdue ones in red."""

    entity = "payment_plan"
    noun = "instalments"
    undo_entity = "payment"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "overdue", "Overdue", id="payments.overdue", tooltip="Only overdue ones"),
        Binding("dollar_sign", "pay", "Payment", id="payments.pay", tooltip="Payment received"),
        Binding("slash", "focus_query", "Filter", id="payments.filter"),
        Binding("escape", "back", "Back", id="payments.back", tooltip="Close this list"),
    ]

    overdue_only = False
    labels: dict[str, str] = {}

    def base_filter(self) -> Filter:
        if not self.overdue_only:
            return Filter("payment_plan")
        today = self.book.clock.today()
        return Filter("payment_plan", (IsEmpty("settled_on"), Compare("due_on", "<", today)))

    def columns(self) -> list[Column]:
        return [
            Column("due_on", "Due", 10),
            Column("label", "#", 6),
            Column("amount", "Amount", 14, "right", money_cell("amount")),
            # At 80 columns Paid gives way (the state says "partly paid"), so whose
            # instalment it is stays readable.
            Column("paid", "Paid", 14, "right", money_cell("paid"), drop=1),
            Column("state", "State", 20, text=self._state),
            Column("contract_id", "Customer · contract", 0, text=self._contract),
        ]

    def _contract(self, row: dict[str, Any]) -> str:
        """The customer first: a narrow cell still says whose instalment it is."""
        label = self.labels.get(str(row.get("contract_id")), "…")
        number, dot, customer = label.partition(" · ")
        return f"{customer} · {number}" if dot else label

    def _state(self, row: dict[str, Any]) -> str:
        from datetime import date

        due = row.get("due_on")
        if not due:
            return ""
        due_on = due if isinstance(due, date) else date.fromisoformat(str(due)[:10])
        return instalment_state(
            row.get("amount") or 0, row.get("paid") or 0, due_on, self.book.clock.today()
        )

    def row_style(self, row: dict[str, Any]) -> str | None:
        return "red" if "overdue" in self._state(row) else None

    def compose_top(self) -> ComposeResult:
        yield Static("Payment plans (回款计划)", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: due:overdue due<eom amount>5万"
        self.run_worker(self._load_labels, thread=True, group="contract-labels", exclusive=True)

    def _load_labels(self) -> None:
        labels = payments.contract_labels(self.book)
        self.app.call_from_thread(self._show_labels, labels)

    def _show_labels(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.table.refresh()

    def action_overdue(self) -> None:
        self.overdue_only = not self.overdue_only
        self.table.set_filter(self.base_filter())
        self.notify("Overdue only." if self.overdue_only else "All instalments.", timeout=2)

    def action_pay(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        book, plan_id = self.book, str(row["id"])

        def validate(text: str) -> str | None:
            try:
                payment_text.payment_from_text(book, plan_id, text)
            except Exception as exc:  # noqa: BLE001 - the refusal is shown in the dialog
                return refusal(exc)
            return None

        def closed(result: str | None) -> None:
            if result is not None:
                self.notify("Payment entered; a manager confirms it.")
                self.reload()

        self.app.push_screen(
            PromptScreen(
                "Payment received: amount [date] [method]", "", "5万 today transfer", validate
            ),
            closed,
        )

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        contract_id = str(event.row.get("contract_id") or "")
        if contract_id:
            self.app.push_screen(ContractScreen(self.book, contract_id), lambda _: self.reload())

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
