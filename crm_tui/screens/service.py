"""Provides `ServiceScreen` (key 7): every service order (派遣单) on the lazy table, planned
start first, with the `/` bar (`status:approved engineer:me planned:today..+7d kind:repair`)
and saved views. `n` adds an order, `r` requests dispatch, `s` starts a dispatched visit,
`x` finishes it (time, costs, rating, feedback), `c` closes it, `enter` opens its detail.
Saved views (services/views.py): My orders, Waiting for approval, Overdue.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from crm_tui.domain import service_rules as rules
from crm_tui.screens.base import ListScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.service_detail import (
    STEP_ACTIONS,
    STEP_BINDINGS,
    ServiceDetailScreen,
    StepKeys,
)
from crm_tui.services import lists, records, service_orders, service_plans
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column

NEW_FIELDS = [
    "subject",
    "customer_id",
    "kind",
    "priority",
    "planned_start",
    "planned_end",
    "engineer_id",
    "opportunity_id",
    "description",
]


class ServiceScreen(StepKeys, ListScreen):
    """Service orders by planned start; overdue open ones in red."""

    entity = "service"
    noun = "service orders"
    undo_entity = "service"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="service.new", tooltip="New service order"),
        *STEP_BINDINGS,
        Binding("slash", "focus_query", "Filter", id="service.filter"),
        Binding("escape", "back", "Back", id="service.back", show=False),
    ]

    members: ClassVar[dict[str, str]] = {}
    _resumed = False  # the first resume is the opening load

    def make_source(self) -> Any:
        # Latest planned first: what is coming and what was just done are on top.
        return lists.source(
            self.book, self.entity, self.opening_filter(), order=("planned_start", "id"),
            descending=True,
        )  # fmt: skip

    def columns(self) -> list[Column]:
        return [
            Column("number", "Number", 16),
            Column("planned_start", "Planned", 11, text=self._planned),
            Column("status", "Status", 11, text=lambda r: rules.label(r.get("status") or "")),
            Column("kind", "Kind", 11, drop=2),
            Column("priority", "Pri", 6, drop=3),
            Column("subject", "Subject", 0),
            Column("customer_name", "Customer", 0),
            Column("engineer_id", "Engineer", 10, text=self._engineer, drop=1),
        ]

    def _planned(self, row: dict[str, Any]) -> str:
        moment = row.get("planned_start")
        if not moment:
            return ""
        return self.book.clock.to_local(moment).strftime("%m-%d %H:%M")

    def _engineer(self, row: dict[str, Any]) -> str:
        return self.members.get(str(row.get("engineer_id")), "")

    def row_style(self, row: dict[str, Any]) -> str | None:
        status, planned = row.get("status"), row.get("planned_start")
        if status in rules.OPEN_STATUSES and planned and planned < self.book.clock.now():
            return "red"
        return None

    def compose_top(self) -> ComposeResult:
        yield Static(
            "Service orders (派遣单) · n new · r request · s start · x finish · enter detail",
            classes="section-summary",
        )

    def on_mount(self) -> None:
        super().on_mount()
        bar = self.query_one("#query", QueryBar)
        bar.placeholder = "/ filter: status:approved engineer:me planned:today..+7d kind:repair"
        self.run_worker(self._load_members, thread=True, group="service-members", exclusive=True)
        # The step keys follow the row under the cursor.
        self.watch(self.table, "cursor_row", lambda _: self.refresh_bindings(), init=False)

    def _load_members(self) -> None:
        names = {uid: name for name, uid in records.team_members(self.book).items()}
        self.app.call_from_thread(self._show_members, names)
        made = service_plans.generate_daily(self.book)  # the plans' coming visits, once a day
        if made:
            self.app.call_from_thread(self._made_visits, len(made))

    def _made_visits(self, count: int) -> None:
        self.notify(f"{count} planned visit(s) added from service plans.", timeout=4)
        self.reload()

    def _show_members(self, names: dict[str, str]) -> None:
        type(self).members = names
        self.table.refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A step this user cannot take on the row under the cursor is greyed out (from
        the row the table already holds: no database read)."""
        command = STEP_ACTIONS.get(action)
        if command is None:
            return True
        row = self.table.current_row if self.is_mounted else None
        if row is None:
            return None
        return None if service_orders.why_not(self.book, row, command) else True

    def on_screen_resume(self) -> None:
        # Back from an order's detail (or from another section): a step taken there may
        # move rows out of the query, so it runs again (the detail pops, no callback).
        if self._resumed:
            self.reload()
        self._resumed = True

    def on_query_bar_entered(self, _: Any) -> None:
        # Enter re-runs the query as typed: rows kept in view after a step (keep_in_list)
        # that no longer match leave now, as `crm list services QUERY` would show.
        if self.kept:
            self.kept.clear()
            self.apply_filter(keep_cursor=True)

    def on_record_table_reloaded(self, _: Any) -> None:
        self.refresh_bindings()

    def current_order(self) -> Any | None:
        row = self.table.current_row
        return service_orders.get(self.book, str(row["id"])) if row else None

    def after_step(self, message: str) -> None:
        self.notify(message.capitalize(), timeout=3)
        row = self.table.current_row
        if row is not None:
            self.keep_in_list(str(row["id"]))
        self.reload()

    def action_new(self) -> None:
        book = self.book

        def saved(result: Any) -> None:
            if result is not None:
                self.notify(f"Added {result.number}: {result.subject}", timeout=3)
                self.reload()

        self.app.push_screen(
            RecordForm(
                "service",
                title="New service order",
                fields=NEW_FIELDS,
                initial={"kind": "repair", "priority": "normal"},
                save=lambda values: service_orders.create(book, values),
                book=book,
            ),
            saved,
        )

    def on_record_table_row_selected(self, event: Any) -> None:
        self.app.push_screen(
            ServiceDetailScreen(self.book, str(event.row["id"])), lambda _: self.reload()
        )

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()


PLAN_FIELDS = [
    "customer_id",
    "subject",
    "kind",
    "every",
    "starts_on",
    "ends_on",
    "engineer_id",
    "lead_days",
    "active",
]


class ServicePlansScreen(ListScreen):
    """Service plans (服务计划): a visit every N weeks or months; `n` adds one, `e` edits
    the one under the cursor (e.g. `active` off), `enter` opens its customer."""

    entity = "service_plan"
    noun = "service plans"
    undo_entity = "service_plan"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New plan", id="service_plans.new"),
        Binding("e", "edit", "Edit", id="service_plans.edit"),
        Binding("slash", "focus_query", "Filter", id="service_plans.filter"),
        Binding("escape", "back", "Back", id="service_plans.back"),
    ]

    def columns(self) -> list[Column]:
        return [
            Column("customer_name", "Customer", 0),
            Column("subject", "Plan", 0),
            Column("kind", "Kind", 11, drop=2),
            Column("every", "Every", 6),
            Column("starts_on", "From", 10),
            Column("ends_on", "To", 10, drop=1),
            Column("active", "On", 3, text=lambda r: "yes" if r.get("active") else "no"),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static(
            "Service plans (服务计划) · each makes its coming visits ahead of time · n new",
            classes="section-summary",
        )

    def _form(self, title: str, initial: dict[str, Any], save: Any) -> None:
        def saved(result: Any) -> None:
            if result is not None:
                self.reload()

        self.app.push_screen(
            RecordForm(
                "service_plan",
                title=title,
                fields=PLAN_FIELDS,
                initial=initial,
                save=save,
                book=self.book,
            ),
            saved,
        )

    def action_new(self) -> None:
        book = self.book
        self._form(
            "New service plan",
            {"kind": "maintenance", "every": "3m", "lead_days": 14, "active": True},
            lambda values: service_plans.create(book, values),
        )

    def action_edit(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        book, plan_id = self.book, str(row["id"])
        plan = service_plans.get(book, plan_id)
        if plan is None:
            return
        self._form(
            "Edit service plan",
            plan.model_dump(),
            lambda changes: service_plans.update(book, plan_id, changes),
        )

    def on_record_table_row_selected(self, event: Any) -> None:
        self.shell.open_record("customer", str(event.row["customer_id"]))

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
