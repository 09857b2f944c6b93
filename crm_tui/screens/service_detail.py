"""Provides `ServiceDetailScreen`: one service order — what, for whom, when, who goes, its
costs and rating — and its history (requested, dispatched by whom, started, finished,
closed) — and the step keys both it and the list (screens/service.py) have: r request,
s start, x finish (the dialog asks time, costs, rating, feedback), c close."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from crm_tui.domain import service_rules as rules
from crm_tui.domain.money import format_money
from crm_tui.screens.base import CrmScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.services import records, service_orders
from crm_tui.services.book import Book
from crm_tui.widgets.deliver import deliver

FINISH_FIELDS = ["minutes", "parts_cost", "travel_cost", "other_cost", "rating", "feedback"]


class FinishForm(RecordForm):
    """The finish report: the form's own checks (a number, an amount) and the report's
    (a rating from 1 to 5, no negative cost) marked together, in one round."""

    def precheck(self, values: dict[str, str]) -> dict[str, str]:
        errors = super().precheck(values)
        book = self.book
        if book is not None:
            for name, message in service_orders.finish_form_errors(book, values).items():
                errors.setdefault(name, message)
        return errors


def finish_form(screen: Any, service_id: str, subject: str) -> RecordForm:
    """The `x` dialog: each bad value is marked beside its field, nothing is written."""
    book = screen.book
    return FinishForm(
        "service",
        title=f"Finish: {subject}",
        fields=FINISH_FIELDS,
        save=lambda values: service_orders.finish_from_form(book, service_id, values),
        book=book,
    )


class StepKeys:
    """The step keys a list and a detail share: r request, s start, x finish, c close."""

    def current_order(self) -> Any | None:
        raise NotImplementedError

    def after_step(self, message: str) -> None:
        raise NotImplementedError

    def _step(self, command: str) -> None:
        rec = self.current_order()
        if rec is None:
            return
        screen: Any = self
        try:
            service_orders.step(screen.book, rec.id, command)
        except Exception as exc:  # noqa: BLE001 - the refusal is the rep's to read
            errors = getattr(exc, "errors", None)
            text = "; ".join(e.message for e in errors) if errors else str(exc)
            screen.notify(text, severity="warning")
            return
        self.after_step(f"{rules.label(rules.COMMANDS[command][1])}: {rec.subject}")

    def action_request(self) -> None:
        self._step("request")

    def action_start(self) -> None:
        self._step("start")

    def action_close_order(self) -> None:
        self._step("close")

    def action_finish(self) -> None:
        rec = self.current_order()
        if rec is None:
            return
        screen: Any = self
        reason = service_orders.why_not(screen.book, rec, "finish")
        if reason == service_orders.START_FIRST:
            reason = "press s to start the visit before finishing it"
        if reason:
            screen.notify(reason, severity="warning")
            return

        def closed(result: Any) -> None:
            if result is not None:
                self.after_step(f"done: {rec.subject}")

        screen.app.push_screen(finish_form(screen, rec.id, rec.subject), closed)


# action -> the step it takes (a key whose step is refused is greyed out)
STEP_ACTIONS = {
    "request": "request",
    "start": "start",
    "finish": "finish",
    "close_order": "close",
}
STEP_BINDINGS: list[BindingType] = [
    Binding("r", "request", "Request", id="service.request", tooltip="Ask to dispatch"),
    Binding("s", "start", "Start", id="service.start", tooltip="Start the visit"),
    Binding("x", "finish", "Finish", id="service.finish", tooltip="Time, costs, rating"),
    Binding("c", "close_order", "Close", id="service.close", show=False),
]


class ServiceDetailScreen(StepKeys, CrmScreen):
    """A service order and its history."""

    CSS_PATH = "sections.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *STEP_BINDINGS,
        Binding("escape", "back", "Back", id="service_detail.back"),
    ]

    def __init__(self, book: Book, service_id: str) -> None:
        super().__init__(book)
        self.service_id = service_id
        self.order: Any | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="service-detail"):
            yield Static("Loading…", id="service-head", classes="section-summary")
            yield Static("", id="service-body")
            yield Static("", id="service-history")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="service-detail", exit_on_error=False)
    def _load(self) -> None:
        rec = service_orders.get(self.book, self.service_id)
        ids = [rec.owner_id, rec.engineer_id, rec.approver_id, rec.dispatched_to] if rec else []
        names = records.names_of(self.book, "user", ids)
        customer = records.title_of(self.book, "customer", rec.customer_id) if rec else None
        deliver(self.app, self._show, rec, names, customer)

    def _when(self, moment: Any) -> str:
        return self.book.clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"

    def _show(self, rec: Any, names: dict[str, str], customer: str | None) -> None:
        self.order = rec
        head = self.query_one("#service-head", Static)
        if rec is None:
            head.update("This service order is gone (deleted, or not yours to see).")
            return
        head.update(Text(f"{rec.number or ''}  {rec.subject}  ({rules.label(rec.status)})"))
        money = rec.currency or "CNY"
        lines = [
            f"Customer   {customer or ''}",
            f"Kind       {rec.kind} · priority {rec.priority}",
            f"Planned    {self._when(rec.planned_start)} → {self._when(rec.planned_end)}",
            f"Engineer   {names.get(rec.engineer_id or '', '—')}",
            f"By         {names.get(rec.owner_id or '', '—')}",
        ]
        if rec.approved_at:  # who sent whom, as History says it (not only the creator)
            approver = names.get(rec.approver_id or "", "a manager")
            sent_to = names.get(rec.dispatched_to or "", "—")
            lines.append(f"Dispatched {self._when(rec.approved_at)} by {approver} to {sent_to}")
        if rec.description:
            lines.append(f"Details    {rec.description}")
        if rec.status in ("done", "closed"):
            lines += [
                f"Time       {rules.hours_text(rec.minutes) or '—'}",
                f"Costs      parts {format_money(rec.parts_cost, money)} · travel "
                f"{format_money(rec.travel_cost, money)} · other "
                f"{format_money(rec.other_cost, money)} · total "
                f"{format_money(service_orders.total_cost(rec), money)}",
                f"Rating     {'★' * (rec.rating or 0) or '—'}",
                f"Feedback   {rec.feedback or '—'}",
            ]
        if rec.decision_note:
            lines.append(f"Note       {rec.decision_note}")
        self.query_one("#service-body", Static).update(Text("\n".join(lines)))
        history = service_orders.step_summary(rec, names, self._when)
        self.query_one("#service-history", Static).update(
            Text("History\n" + "\n".join(f"  · {line}" for line in history))
        )

    def current_order(self) -> Any | None:
        return self.order

    def after_step(self, message: str) -> None:
        self.notify(message.capitalize(), timeout=3)
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
