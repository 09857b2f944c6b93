"""Provides `QuotesScreen` (quotes on the lazy table, all or one deal's) and `QuoteScreen`
(one quote: its lines and totals).

The flow by keys: `n` makes a quote from a deal's lines, `+` adds a product line to a
draft, `s` sends it (writes the HTML document next to the book), `r` makes the next
revision (the earlier one stays read-only), `a` / `x` accept / reject, `c` makes the
contract from an accepted quote and opens it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from crm_tui.domain.filter import Compare, Filter
from crm_tui.domain.money import format_money
from crm_tui.screens.base import CrmScreen, ListScreen
from crm_tui.screens.contracts import ContractScreen, money_cell, refusal
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import payments, quotes
from crm_tui.services.book import Book
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

QUOTE_KEYS: list[BindingType] = [
    Binding("s", "send", "Send", id="quote.send", tooltip="Write the document; mark it sent"),
    Binding("r", "revise", "Revise", id="quote.revise", tooltip="Make the next revision"),
    Binding("a", "accept", "Accept", id="quote.accept", tooltip="The customer accepted"),
    Binding("x", "reject", "Reject", id="quote.reject", tooltip="The customer said no"),
    Binding("c", "contract", "Contract", id="quote.contract", tooltip="Contract from it"),
]


class QuoteSteps:
    """The quote keys, for a screen that knows which quote is chosen (`chosen_quote`)."""

    book: Book

    def chosen_quote(self) -> str | None:
        raise NotImplementedError

    def after_step(self, message: str) -> None:
        raise NotImplementedError

    def _step(self, run: Any, message: Any) -> None:
        chosen = self.chosen_quote()
        if chosen is None:
            self.notify("No quote chosen.", severity="warning")  # type: ignore[attr-defined]
            return
        try:
            result = run(self.book, chosen)
        except Exception as exc:  # noqa: BLE001 - the rule's sentence is shown
            self.notify(refusal(exc), severity="error")  # type: ignore[attr-defined]
            return
        self.after_step(message(result))

    def action_send(self) -> None:
        self._step(quotes.send_to_file, lambda path: f"Sent: wrote {path}")

    def action_revise(self) -> None:
        self._step(quotes.revise, lambda q: f"Revision v{q.revision} made (draft).")

    def action_accept(self) -> None:
        self._step(quotes.accept, lambda q: f"Quote v{q.revision} accepted.")

    def action_reject(self) -> None:
        self._step(quotes.reject, lambda q: f"Quote v{q.revision} rejected.")

    def action_contract(self) -> None:
        def make(book: Book, quote_id: str) -> Any:
            made = payments.new_contract(book, quote_ref=quote_id)
            self.app.push_screen(ContractScreen(book, made.id))  # type: ignore[attr-defined]
            return made

        self._step(make, lambda c: f"Contract {c.number} made.")


class QuotesScreen(QuoteSteps, ListScreen):
    """Quotes (of one deal when given); `enter` opens one, `n` makes one for the deal."""

    entity = "quote"
    noun = "quotes"
    undo_entity = "quote"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="quotes.new", tooltip="A quote from a deal's lines"),
        *QUOTE_KEYS,
        Binding("slash", "focus_query", "Filter", id="quotes.filter"),
        Binding("escape", "back", "Back", id="quotes.back", tooltip="Close this list"),
    ]

    def __init__(self, book: Book, deal_id: str | None = None) -> None:
        super().__init__(book)
        self.deal_id = deal_id

    def base_filter(self) -> Filter:
        if self.deal_id is None:
            return Filter("quote")
        return Filter("quote", (Compare("opportunity_id", "=", self.deal_id),))

    def columns(self) -> list[Column]:
        return [
            Column("title", "Quote", 0),
            Column("revision", "Rev", 4, "right"),
            Column("status", "Status", 9),
            Column("total", "Total", 15, "right", money_cell("total")),
            Column("valid_until", "Valid until", 11),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("Quotes", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: status:sent total>5万"

    def chosen_quote(self) -> str | None:
        row = self.table.current_row
        return str(row["id"]) if row is not None else None

    def after_step(self, message: str) -> None:
        self.notify(message)
        self.reload()

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.app.push_screen(QuoteScreen(self.book, event.row_id), lambda _: self.reload())

    def action_new(self) -> None:
        book = self.book
        made: list[Any] = []

        def run(deal: str) -> None:
            made.append(quotes.new_quote(book, deal or (self.deal_id or "")))

        def closed(result: str | None) -> None:
            if result is not None and made:
                self.notify(f"Quote v{made[-1].revision} made (draft).")
                self.reload()

        if self.deal_id is not None:
            try:
                run(self.deal_id)
            except Exception as exc:  # noqa: BLE001
                self.notify(refusal(exc), severity="error")
                return
            closed("")
            return

        def validate(text: str) -> str | None:
            try:
                run(text)
            except Exception as exc:  # noqa: BLE001
                return refusal(exc)
            return None

        self.app.push_screen(
            PromptScreen("New quote for which deal?", "", "deal id or title", validate), closed
        )

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class QuoteScreen(QuoteSteps, CrmScreen):
    """One quote: lines, totals, and the same step keys; `+` adds a line to a draft."""

    CSS_PATH = "sections.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus", "add_line", "Line", id="quote.add_line", tooltip="Add a line"),
        *QUOTE_KEYS,
        Binding("escape", "back", "Back", id="quote.back"),
    ]

    def __init__(self, book: Book, quote_id: str) -> None:
        super().__init__(book)
        self.quote_id = quote_id

    def compose_body(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="quote-head", classes="section-summary")
            yield DataTable(id="lines", cursor_type="row", zebra_stripes=True)
            yield Static("", id="quote-totals")

    def on_mount(self) -> None:
        table = self.query_one("#lines", DataTable)
        table.add_columns("#", "Item", "Model", "Qty", "Unit price", "Discount", "Amount")
        self.reload()
        table.focus()

    def reload(self) -> None:
        doc = quotes.document(self.book, self.quote_id)
        cur = doc.currency
        self.query_one("#quote-head", Static).update(
            f"{doc.title} · v{doc.revision} {doc.status} · {doc.customer} · valid until "
            f"{doc.valid_until.isoformat() if doc.valid_until else '—'}"
        )
        table = self.query_one("#lines", DataTable)
        table.clear()
        for ln in doc.lines:
            table.add_row(
                str(ln.position),
                ln.description,
                ln.model,
                str(ln.quantity),
                format_money(ln.unit_price, cur),
                ln.discount,
                format_money(ln.net, cur),
            )
        t = doc.totals
        self.query_one("#quote-totals", Static).update(
            f"subtotal {format_money(t.subtotal, cur)} · tax {doc.tax_rate} "
            f"{format_money(t.tax, cur)} · total {format_money(t.total, cur)}"
        )

    def chosen_quote(self) -> str | None:
        return self.quote_id

    def after_step(self, message: str) -> None:
        self.notify(message)
        current = quotes.get(self.book, self.quote_id)
        newest = quotes.of_deal(self.book, current.opportunity_id)[-1]
        self.quote_id = newest.id  # after `r`, show the new revision
        self.reload()

    def action_add_line(self) -> None:
        book = self.book

        def validate(text: str) -> str | None:
            try:
                quotes.add_line(book, self.quote_id, quotes.line_from_text(book, text))
            except Exception as exc:  # noqa: BLE001
                return refusal(exc)
            return None

        def closed(result: str | None) -> None:
            if result is not None:
                self.reload()

        self.app.push_screen(
            PromptScreen(
                "Add a line: CODE QTY [DISCOUNT%]  or  description QTY PRICE",
                "",
                "M-1 2 10%",
                validate,
            ),
            closed,
        )

    def action_back(self) -> None:
        self.app.pop_screen()
