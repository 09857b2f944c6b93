"""Provides `ApprovalsScreen`: a manager's queue of the team's submitted expense claims and
service dispatch requests (派遣审批, issue 15) together, to approve (`a`, optional note) or
reject (`x`, a note is required); `f` shows all, only claims or only dispatches.

Decisions go through the repositories' commands (outbox kind "command"), so the server
checks them and the rep's (and the engineer's) laptop gets the outcome at its next sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from crm_tui.screens.base import CrmScreen
from crm_tui.screens.pickers import PromptScreen
from crm_tui.screens.shell import book_of, book_ready
from crm_tui.services import expenses, service_orders
from crm_tui.services.book import Book

if TYPE_CHECKING:
    from textual.app import App

# What `f` cycles through: every request, only claims, only dispatches.
SHOWING = ("all", "claims", "dispatches")


def is_manager(book: Book) -> bool:
    return expenses.is_manager(book)


class ApprovalsScreen(CrmScreen):
    """Submitted claims and dispatch requests of the team; `a` approves, `x` rejects with
    a note, `f` filters."""

    CSS_PATH = "sync_views.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", id="approvals.approve", tooltip="Approve this claim"),
        Binding("x", "reject", "Reject", id="approvals.reject", tooltip="Reject with a note"),
        Binding(
            "f", "filter", "Filter", id="approvals.filter", tooltip="All / claims / dispatches"
        ),
        Binding("escape", "back", "Back", id="approvals.back"),
    ]

    def __init__(self, book: Book, showing: str = "all") -> None:
        super().__init__(book)
        self.claims: list[Any] = []  # what is listed, claims and service orders, in order
        self.showing = showing

    def compose_body(self) -> ComposeResult:
        yield Static("", id="approvals-summary", classes="section-summary")
        yield DataTable(id="approvals-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Submitted", "Rep", "Date", "Kind", "Amount / to", "Description", "Type")
        self.reload()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            return is_manager(self.book) and bool(self.claims)
        return True

    def _who(self, user_id: str | None) -> str:
        name = expenses.member_name(self.book, user_id)
        return name if name is not None else (user_id or "")[:8]

    def reload(self) -> None:
        summary = self.query_one("#approvals-summary", Static)
        if not is_manager(self.book):
            self.query_one(DataTable).clear()
            self.claims = []
            summary.update("Approvals are for managers: sign in with a manager's account.")
            self.refresh_bindings()
            return
        self._load_claims()

    @work(thread=True, exclusive=True, group="approvals", exit_on_error=False)
    def _load_claims(self) -> None:
        """The queue and its reps' (and engineers') names, read off the UI thread."""
        claims = expenses.submitted_claims(self.book, 500) if self.showing != "dispatches" else []
        orders = service_orders.waiting_approval(self.book, 500) if self.showing != "claims" else []
        who = {c.owner_id for c in claims} | {o.owner_id for o in orders}
        who |= {o.engineer_id for o in orders}
        names = {user_id: self._who(user_id) for user_id in who}
        self.app.call_from_thread(self._show_claims, claims, orders, names)

    def _when(self, moment: Any) -> str:
        return self.book.clock.to_local(moment).strftime("%m-%d %H:%M") if moment else ""

    def _show_claims(
        self, claims: list[Any], orders: list[Any], names: dict[str | None, str]
    ) -> None:
        from crm_tui.domain.money import format_money

        table = self.query_one(DataTable)
        table.clear()
        self.claims = [*claims, *orders]
        total: dict[str, int] = {}
        for claim in claims:
            total[claim.currency] = total.get(claim.currency, 0) + claim.amount
            table.add_row(
                self._when(claim.submitted_at),
                names[claim.owner_id],
                str(claim.spent_on),
                claim.category,
                format_money(claim.amount, claim.currency),
                claim.description or "",
                "claim",
                key=claim.id,
            )
        for order in orders:
            planned = self._when(order.planned_start)
            table.add_row(
                self._when(order.requested_at),
                names[order.owner_id],
                planned,
                order.kind,
                f"→ {names[order.engineer_id]}",
                f"{order.number or ''} {order.subject}".strip(),
                "dispatch",
                key=order.id,
            )
        sums = ", ".join(format_money(v, c) for c, v in sorted(total.items())) or "nothing"
        shown = "" if self.showing == "all" else f" ({self.showing} only)"
        self.query_one("#approvals-summary", Static).update(
            f"{len(claims)} claim(s) · {sums} · {len(orders)} dispatch(es) waiting for you"
            f"{shown} · a: approve  x: reject  f: filter"
        )
        self.refresh_bindings()

    @property
    def current(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.claims or not 0 <= table.cursor_row < len(self.claims):
            return None
        return self.claims[table.cursor_row]

    def _decide(self, approve: bool) -> None:
        claim = self.current
        if claim is None:
            return
        dispatch = hasattr(claim, "engineer_id")
        what = (
            f"{claim.number or ''} {claim.subject}".strip()
            if dispatch
            else claim.description or claim.category
        )
        title = (
            f"{'Approve' if approve else 'Reject'} {what} "
            f"({self._who(claim.owner_id)}): note" + (" (optional)" if approve else " (why?)")
        )
        decide = service_orders.decide if dispatch else expenses.decide
        noun = "dispatch" if dispatch else "claim"

        def validate(text: str) -> str | None:
            return None if approve or text.strip() else f"Say why the {noun} is rejected."

        def done(note: str | None) -> None:
            if note is None:
                return
            try:
                message = decide(self.book, claim.id, approve=approve, note=note)
            except ValueError as exc:
                self.notify(str(exc), severity="warning")
                return
            self.notify(message)
            self.reload()
            from crm_tui.widgets.status_bar import SyncStatusChanged

            self.app.post_message(SyncStatusChanged())

        self.app.push_screen(PromptScreen(title, validate=validate), done)

    def action_approve(self) -> None:
        self._decide(True)

    def action_reject(self) -> None:
        self._decide(False)

    def action_filter(self) -> None:
        self.showing = SHOWING[(SHOWING.index(self.showing) + 1) % len(SHOWING)]
        self.notify(f"Showing {self.showing}.", timeout=2)
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


def show_approvals(app: App[Any]) -> None:
    """Open the approvals queue over the current screen (a palette entry)."""
    if not book_ready(app):
        app.notify("Opening the database…", timeout=2)
        return
    app.push_screen(ApprovalsScreen(book_of(app)))
