"""Provides `OpportunitiesScreen`: the pipeline as a lazy list or a board by stage.

`b` switches between the two; `[` and `]` move the deal under the cursor a stage back or
on, asking for the won date or the lost reason (from the team's list, which "other…"
extends) where the stage needs one. The line at the top totals the open pipeline.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Static
from textual.worker import Worker, WorkerState

from crm_tui.domain.dates import parse_date
from crm_tui.domain.fields import ValidationErrors
from crm_tui.domain.money import format_money
from crm_tui.domain.rules import OPEN_STAGES, Stage, next_stage, weighted_amount
from crm_tui.screens.base import ListScreen
from crm_tui.screens.deal_lost import LostDialog
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import DatePromptScreen
from crm_tui.services import deals
from crm_tui.services.book import Book
from crm_tui.widgets.board import Board
from crm_tui.widgets.deliver import deliver
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

NEW_FIELDS = [
    "customer_id",
    "title",
    "stage",
    "amount",
    "expected_close",
    "next_step",
    "competitor_id",
]
EDIT_FIELDS = [*NEW_FIELDS, "probability"]
CLOSED_FIELDS = ["closed_on", "lost_reason", "lost_note"]


def refresh_status(app: Any) -> None:
    """Let the app's status line count the new pending change (a host app may have none)."""
    refresh = getattr(app, "refresh_status", None)
    if callable(refresh):
        refresh()


def money_cell(row: dict[str, Any]) -> str:
    return format_money(row.get("amount"), row.get("currency") or "CNY")


def weighted_cell(row: dict[str, Any]) -> str:
    amount = weighted_amount(row.get("amount") or 0, row.get("probability") or 0)
    return format_money(amount, row.get("currency") or "CNY")


def _date_cell(key: str) -> Any:
    def cell(row: dict[str, Any]) -> str:
        value = row.get(key)
        return value.isoformat() if value is not None else ""

    return cell


class OpportunitiesScreen(ListScreen):
    """Deals by expected close date, or side by side by stage on the board."""

    entity = "opportunity"
    noun = "deals"
    initial_query = "stage:open"  # the working pipeline first, not last quarter's closed deals
    undo_entity = "opportunity"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "b",
            "toggle_board",
            "Board/list",
            id="deals.board",
            tooltip="Show the deals as a list or as a board by stage",
        ),
        Binding(
            "left_square_bracket",
            "move(-1)",
            "◀ Stage",
            id="deals.back",
            tooltip="Move the deal one stage back",
        ),
        Binding(
            "right_square_bracket",
            "move(1)",
            "Stage ▶",
            id="deals.on",
            tooltip="Move the deal one stage on (won asks the date, lost the reason)",
        ),
        Binding(
            "l",
            "lost",
            "Lost",
            id="deals.lost",
            tooltip="Mark the deal lost, from any stage, with the reason",
        ),
        Binding("n", "new", "New", id="deals.new", tooltip="Add a deal"),
        Binding("e", "edit", "Edit", id="deals.edit", tooltip="Edit this deal"),
        Binding(
            "slash",
            "focus_query",
            "Filter",
            id="deals.filter",
            tooltip="Filter with the query language, e.g. stage:proposal amount>50000",
        ),
        Binding("escape", "focus_table", "List", show=False),
        Binding("enter", "edit", "Open", show=False),
        Binding(
            "Q",
            "quotes",
            "Quotes",
            show=False,
            id="deals.quotes",
            tooltip="This deal's quotes: make one, send, revise, accept, contract",
        ),
    ]

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.board_mode = False

    def columns(self) -> list[Column]:
        return [
            Column("customer_name", "Customer", 0),
            Column("title", "Deal", 0),
            Column("stage", "Stage", 11),
            Column("amount", "Amount", 15, "right", money_cell),
            Column("probability", "%", 3, "right", drop=1),
            Column("weighted", "Weighted", 15, "right", weighted_cell, drop=2),
            Column("expected_close", "Close", 10, text=_date_cell("expected_close")),
        ]

    def compose_body(self) -> ComposeResult:
        yield Static("", id="pipeline-summary", classes="section-summary")
        with ContentSwitcher(initial="deal-list", id="deal-views"):
            with Vertical(id="deal-list"):
                yield from super().compose_body()
            yield Board(id="deal-board")

    @property
    def board(self) -> Board:
        return self.query_one("#deal-board", Board)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: stage:proposal amount>50000"
        self.load_pipeline()

    # --- data ------------------------------------------------------------------------------
    def load_pipeline(self, keep: str | None = None) -> None:
        """Re-read the totals (and the board's cards when it shows) off the UI thread."""
        self._load_pipeline(self.board_mode, keep)

    @work(thread=True, exclusive=True, group="deal-pipeline", exit_on_error=False)
    def _load_pipeline(self, with_cards: bool, keep: str | None) -> None:
        if with_cards:
            columns = deals.board(self.book)
        else:
            columns = deals.stage_totals(self.book)
        deliver(self.app, self._pipeline_loaded, columns, with_cards, keep)

    def _pipeline_loaded(
        self, columns: list[deals.StageColumn], with_cards: bool, keep: str | None
    ) -> None:
        if with_cards and self.board_mode:
            self.board.set_columns(columns, keep=keep)
        self.show_summary(columns)

    @on(Board.NeedMore)
    def _more_cards(self, event: Board.NeedMore) -> None:
        self._load_more(event.column)

    @work(thread=True, exclusive=True, group="deal-cards", exit_on_error=False)
    def _load_more(self, column: deals.StageColumn) -> None:
        cards = deals.stage_cards(self.book, column.stage, offset=len(column.cards))
        self.app.call_from_thread(self.board.add_cards, column, cards)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group.startswith("deal-") and event.state is WorkerState.ERROR:
            self.notify(f"Cannot read the pipeline: {event.worker.error}", severity="error")

    def show_summary(self, columns: list[deals.StageColumn]) -> None:
        open_count = sum(c.count for c in columns if c.stage in OPEN_STAGES)
        by_currency: dict[str, list[int]] = {}
        for column in columns:
            if column.stage not in OPEN_STAGES:
                continue
            for currency, money in column.totals.items():
                sums = by_currency.setdefault(currency, [0, 0])
                sums[0] += money.total
                sums[1] += money.weighted
        money = " · ".join(
            f"{format_money(total, cur)} (wtd {format_money(weighted, cur)})"
            for cur, (total, weighted) in sorted(by_currency.items())
        )
        text = f"Open: {open_count:,} deals · {money}" if money else "No open deals."
        self.query_one("#pipeline-summary", Static).update(text)

    def reload(self, keep: str | None = None) -> None:
        super().reload()
        self.load_pipeline(keep)

    def show_deal(self, row_id: str) -> None:
        """Show one deal in the list with the cursor on it (the bar cleared when the deal is
        closed, so stage:open does not hide it): what `enter` on the desk opens."""
        if self.board_mode:
            self.action_toggle_board()
        deal = deals.get(self.book, row_id)
        if deal is not None and deal.stage not in OPEN_STAGES:
            self.clear_query()
        else:
            self.keep_in_list(row_id)
        self.table.select_id(row_id)
        self.table.focus()

    def selected_id(self) -> str | None:
        if self.board_mode:
            card = self.board.selected
            return card.id if card else None
        row = self.table.current_row
        return str(row["id"]) if row else None

    # --- actions ---------------------------------------------------------------------------
    def action_toggle_board(self) -> None:
        self.board_mode = not self.board_mode
        switcher = self.query_one("#deal-views", ContentSwitcher)
        if self.board_mode:
            self.load_pipeline(keep=self.selected_id_from_table())
            switcher.current = "deal-board"
            self.board.focus()
        else:
            switcher.current = "deal-list"
            self.table.reload()
            self.table.focus()

    def action_show_board(self) -> None:
        if not self.board_mode:
            self.action_toggle_board()

    def selected_id_from_table(self) -> str | None:
        row = self.table.current_row
        return str(row["id"]) if row else None

    def action_focus_table(self) -> None:
        (self.board if self.board_mode else self.table).focus()

    def action_quotes(self) -> None:
        """`Q`: the chosen deal's quotes (issue 19: deal -> quote -> contract -> payments)."""
        from crm_tui.screens.quotes import QuotesScreen

        deal_id = self.selected_id()
        if deal_id is None:
            self.notify("Choose a deal first.", timeout=2)
            return
        self.app.push_screen(QuotesScreen(self.book, deal_id))

    def action_focus_query(self) -> None:
        if self.board_mode:
            self.action_toggle_board()
        super().action_focus_query()

    def action_move(self, step: int) -> None:
        row_id = self.selected_id()
        if row_id is None:
            return
        deal = deals.get(self.book, row_id)
        if deal is None:
            return
        current = Stage(deal.stage)
        target = next_stage(current, step)
        if target is current:
            self.notify(f"'{deal.title}' is already {current}.")
            return
        if target is Stage.WON:
            today = self.book.clock.today()

            def won(text: str | None) -> None:
                if text is not None:
                    self._move(row_id, step, closed_on=parse_date(text, today))

            self.app.push_screen(DatePromptScreen(f"Won '{deal.title}' on which day?", today), won)
        elif target is Stage.LOST:
            self.action_lost()
            return
        else:
            self._move(row_id, step)

    def action_lost(self) -> None:
        """Lost from any stage: the reason dialog, then one write (no won date asked)."""
        row_id = self.selected_id()
        deal = deals.get(self.book, row_id) if row_id else None
        if deal is None:
            self.notify("No deal highlighted.", severity="warning", timeout=3)
            return
        if deal.stage == Stage.LOST:
            self.notify(f"'{deal.title}' is already lost.")
            return

        def lost(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            reason, note = answer
            try:
                moved = deals.mark_lost(self.book, deal.id, reason, note)
            except ValidationErrors as exc:
                self.notify(str(exc.errors[0].message), severity="error")
                return
            self._moved(moved)

        reasons = deals.lost_reasons(self.book)
        self.app.push_screen(LostDialog(f"Why was '{deal.title}' lost?", reasons), lost)

    def _move(self, row_id: str, step: int, **extra: Any) -> None:
        try:
            deal = deals.move(self.book, row_id, step, **extra)
        except ValidationErrors as exc:
            self.notify(str(exc.errors[0].message), severity="error")
            return
        self._moved(deal)

    def _moved(self, deal: Any) -> None:
        """After a stage change: the deal stays in the list even when it left the filter."""
        self.notify(f"'{deal.title}' → {deal.stage}")
        self.keep_in_list(deal.id)
        self.reload(keep=deal.id)
        refresh_status(self.app)

    def action_new(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                "opportunity",
                title="New deal",
                fields=NEW_FIELDS,
                save=lambda values: deals.create(book, values),
                book=book,
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        row_id = self.selected_id()
        if row_id is not None:
            edit_deal(self, self.book, row_id, self._saved)

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        edit_deal(self, self.book, event.row_id, self._saved)

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Saved '{record.title}'.")
            self.reload(keep=record.id)
            refresh_status(self.app)


def edit_deal(screen: Any, book: Book, row_id: str, done: Any) -> None:
    """Open a deal in its form; a closed deal also shows when and why it closed."""
    deal = deals.get(book, row_id)
    if deal is None:
        return
    fields = EDIT_FIELDS + (CLOSED_FIELDS if deal.stage not in OPEN_STAGES else [])
    screen.app.push_screen(
        RecordForm(
            "opportunity",
            title=f"Deal: {deal.title}",
            initial=deal.model_dump(),
            fields=fields,
            save=lambda changes: deals.update(book, deal.id, changes),
            book=book,
        ),
        done,
    )
