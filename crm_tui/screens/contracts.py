"""Provides `ContractsScreen` (every contract on the lazy table) and `ContractScreen` (one
contract: its payment plan and the payments received against it, 回款).

Keys on a contract: `g` signs it, `p` makes its plan ("3 2027-01-15 1m" or explicit
amounts "3万,3万,4万 2027-01-15"), `$` records a payment against the chosen instalment and
`f` confirms the chosen payment (managers; the server checks it again), `r` sets how many
days before the chosen instalment is due the reminder comes, `a` attaches the signed scan
(the files module; `crm attach CONTRACT FILE` from the shell).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from crm_tui.domain.money import format_money
from crm_tui.screens.base import CrmScreen, ListScreen
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import contract_scans, payment_text, payments
from crm_tui.services.book import Book
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable


def money_cell(key: str) -> Any:
    def cell(row: dict[str, Any]) -> str:
        return format_money(row.get(key), row.get("currency") or "CNY")

    return cell


def refusal(exc: Exception) -> str:
    """The sentence a service's refusal carries (ValidationErrors, NotFound, ValueError)."""
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(e.message for e in errors)
    return str(exc)


class ContractsScreen(ListScreen):
    """Contracts by signing date; `enter` opens one."""

    entity = "contract"
    noun = "contracts"
    undo_entity = "contract"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Filter", id="contracts.filter"),
        Binding("escape", "back", "Back", id="contracts.back", tooltip="Close this list"),
    ]

    def columns(self) -> list[Column]:
        return [
            Column("number", "Number", 18),
            Column("status", "Status", 10),
            Column("amount", "Amount", 15, "right", money_cell("amount")),
            Column("signed_on", "Signed", 10),
            Column("title", "Title", 0),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("Contracts", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: status:signed amount>5万"

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.app.push_screen(ContractScreen(self.book, event.row_id), lambda _: self.reload())

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class ContractScreen(CrmScreen):
    """One contract: header, instalments (due, amount, paid, state) and payments."""

    CSS_PATH = "sections.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "sign", "Sign", id="contract.sign", tooltip="Mark the contract signed"),
        Binding("p", "plan", "Plan", id="contract.plan", tooltip="Make the payment plan"),
        Binding("dollar_sign", "pay", "Payment", id="contract.pay", tooltip="Record a payment"),
        Binding("f", "confirm", "Confirm", id="contract.confirm", tooltip="Confirm a payment"),
        Binding(
            "a", "attach", "Attach scan", id="contract.attach", tooltip="Attach the signed scan"
        ),
        Binding(
            "r",
            "remind",
            "Remind",
            id="contract.remind",
            tooltip="How many days before the chosen instalment is due to remind you",
        ),
        Binding("tab", "switch", "Plan/payments", show=False),
        Binding("escape", "back", "Back", id="contract.back"),
    ]

    def __init__(self, book: Book, contract_id: str) -> None:
        super().__init__(book)
        self.contract_id = contract_id

    def compose_body(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="contract-head", classes="section-summary")
            yield Static("Payment plan (回款计划)", classes="hint")
            yield DataTable(id="plan", cursor_type="row", zebra_stripes=True)
            yield Static("Payments received (回款)", classes="hint")
            yield DataTable(id="payments", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        plan = self.query_one("#plan", DataTable)
        plan.add_columns("#", "Due", "Amount", "Paid", "State", "Settled", "Remind")
        pays = self.query_one("#payments", DataTable)
        pays.add_columns("Received", "Amount", "Method", "Status", "Instalment")
        self.reload()
        plan.focus()

    def reload(self) -> None:
        book = self.book
        contract = payments.get_contract(book, self.contract_id)
        rows = payments.plan(book, contract.id)
        received = payments.payments(book, contract.id)
        today = book.clock.today()
        cur = contract.currency
        total_paid = sum(p.amount for p in received)
        scans = contract_scans.scan_names(book, contract.id)
        self.query_one("#contract-head", Static).update(
            f"{contract.number} · {contract.title or ''} · {contract.status} · "
            f"{format_money(contract.amount, cur)} · received {format_money(total_paid, cur)}"
            + (
                f" · {format_money(total_paid - contract.amount, cur)} over the contract"
                if total_paid > contract.amount
                else ""
            )
            + (f"\nscan: {', '.join(scans)}" if scans else "")
        )
        plan = self.query_one("#plan", DataTable)
        plan.clear()
        labels = {}
        for r in rows:
            labels[r.id] = r.label or str(r.instalment)
            plan.add_row(
                labels[r.id],
                r.due_on.isoformat(),
                format_money(r.amount, cur),
                format_money(r.paid, cur),
                payments.state_of(r, today),
                r.settled_on.isoformat() if r.settled_on else "",
                f"{r.remind_days}d",
                key=r.id,
            )
        pays = self.query_one("#payments", DataTable)
        pays.clear()
        for p in received:
            pays.add_row(
                p.received_on.isoformat(),
                format_money(p.amount, cur),
                p.method or "",
                p.status,
                labels.get(p.plan_id or "", ""),
                key=p.id,
            )

    def _chosen(self, table_id: str) -> str | None:
        table = self.query_one(f"#{table_id}", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _ask(self, title: str, placeholder: str, run: Any, done: str) -> None:
        def validate(text: str) -> str | None:
            try:
                run(text)
            except Exception as exc:  # noqa: BLE001 - every refusal is shown in the dialog
                return refusal(exc)
            return None

        def closed(result: str | None) -> None:
            if result is not None:
                self.notify(done)
                self.reload()

        self.app.push_screen(PromptScreen(title, "", placeholder, validate), closed)

    def action_sign(self) -> None:
        try:
            payments.sign(self.book, self.contract_id)
        except Exception as exc:  # noqa: BLE001
            self.notify(refusal(exc), severity="error")
            return
        self.notify("Contract signed.")
        self.reload()

    def action_plan(self) -> None:
        book = self.book

        def run(text: str) -> None:
            payment_text.plan_from_text(book, self.contract_id, text)

        self._ask(
            "Payment plan: instalments, first due, every (or amounts, first due); remind N",
            "3 2027-01-15 1m remind 5   or   3万,3万,4万 2027-01-15",
            run,
            "Plan made.",
        )

    def action_pay(self) -> None:
        book = self.book
        target = self._chosen("plan") or self.contract_id

        def run(text: str) -> None:
            payment_text.payment_from_text(book, target, text)

        self._ask(
            "Payment received: amount [date] [method]",
            "5万 today transfer",
            run,
            "Payment entered; a manager confirms it.",
        )

    def action_attach(self) -> None:
        book = self.book

        def run(text: str) -> None:
            path = text.strip().strip("'\"")
            if not path:
                raise ValueError("type the path of the scan, e.g. ~/scans/合同.pdf")
            contract_scans.attach_scan(book, self.contract_id, path)

        self._ask(
            "Attach the signed scan: path of the file", "~/scans/合同.pdf", run, "Scan attached."
        )

    def action_remind(self) -> None:
        chosen = self._chosen("plan")
        if chosen is None:
            self.notify("No instalment: make the plan first (p).", severity="warning")
            return
        book = self.book

        def run(text: str) -> None:
            days = text.strip()
            if not (days.isascii() and days.isdigit()):
                raise ValueError("type a whole number of days, e.g. 5")
            payments.set_remind_days(book, chosen, int(days))

        self._ask(
            "Remind me this many days before the instalment is due",
            "7",
            run,
            "Reminder set.",
        )

    def action_confirm(self) -> None:
        chosen = self._chosen("payments")
        if chosen is None:
            self.notify("No payment to confirm.", severity="warning")
            return
        try:
            payments.confirm(self.book, chosen)
        except Exception as exc:  # noqa: BLE001
            self.notify(refusal(exc), severity="error")
            return
        self.notify("Payment confirmed.")
        self.reload()

    def action_switch(self) -> None:
        plan = self.query_one("#plan", DataTable)
        (self.query_one("#payments", DataTable) if plan.has_focus else plan).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
