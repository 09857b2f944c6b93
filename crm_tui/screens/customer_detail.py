"""Provides `CustomerDetailScreen`: one customer with their contacts, follow-up timeline,
deals and claims, each in a tab with a lazy table; `a` adds a record to the open tab."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from crm_tui.domain.money import format_money
from crm_tui.screens.base import CrmScreen
from crm_tui.screens.contact_log import ContactHistoryPane, QuickLogScreen
from crm_tui.screens.contact_log import mail as mail_contact
from crm_tui.screens.customer_campaigns import CustomerCampaignsPane
from crm_tui.screens.customer_docs import CustomerDocsPane
from crm_tui.screens.customer_service import CustomerServicePane
from crm_tui.screens.customers import CUSTOMER_FIELDS
from crm_tui.screens.files import FilesScreen
from crm_tui.screens.followups import (
    FOLLOW_UP_FIELDS,
    edit_follow_up,
    follow_up_style,
    mark_done,
    when_text,
)
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.insight import InsightPanel, open_survey
from crm_tui.screens.opportunities import refresh_status
from crm_tui.services import customers, pool, records
from crm_tui.services.words import word_for
from crm_tui.widgets.deliver import deliver
from crm_tui.widgets.record_table import Column, RecordTable

if TYPE_CHECKING:
    from crm_tui.domain.models import Customer
    from crm_tui.services.book import Book

# tab id -> (title, key, entity, form fields)
TABS: dict[str, tuple[str, str, str, list[str]]] = {
    "contacts": (
        "Contacts",
        "c",
        "contact",
        ["name", "title", "phone", "mobile", "email", "birthday", "notes"],
    ),
    "timeline": (
        "Follow-ups",
        "f",
        "activity",
        [f for f in FOLLOW_UP_FIELDS if f != "customer_id"],
    ),
    "deals": (
        "Deals",
        "d",
        "opportunity",
        ["title", "stage", "amount", "probability", "expected_close", "next_step", "competitor_id"],
    ),
    "expenses": (
        "Claims",
        "m",
        "expense",
        ["spent_on", "category", "amount", "opportunity_id", "description", "receipt"],
    ),
}


def _money(row: dict[str, Any]) -> str:
    return format_money(row.get("amount"), row.get("currency") or "CNY")


class CustomerDetailScreen(CrmScreen):
    """A customer's card above tabs for contacts, the follow-up timeline, deals, claims."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding(
            "a",
            "add",
            "Add here",
            id="detail.add",
            tooltip="Add a contact, follow-up, deal or claim to the open tab",
        ),
        Binding("e", "edit", "Edit customer", id="detail.edit"),
        Binding(
            "E",
            "edit_row",
            "Edit row",
            id="detail.edit-row",
            tooltip="Edit the contact, follow-up, deal or claim under the cursor",
        ),
        Binding(
            "x",
            "done",
            "Done",
            id="detail.done",
            tooltip="Mark the follow-up under the cursor done",
        ),
        *(
            Binding(key, f"tab('{tab}')", title, show=False, id=f"detail.tab-{tab}")
            for tab, (title, key, *_rest) in TABS.items()
        ),
        Binding("o", "tab('docs')", "Quotes & contracts", show=False, id="detail.tab-docs"),
        Binding("S", "survey", "Survey", id="detail.survey", tooltip="Record a satisfaction score"),
        Binding("l", "quick_log", "Log contact", id="detail.log", tooltip="Log a call, visit…"),
        Binding("h", "tab('history')", "Contact log", show=False, id="detail.tab-history"),
        Binding("M", "mail", "Mail", show=False, id="detail.mail", tooltip="E-mail and log it"),
        Binding("v", "tab('service')", "Service", show=False, id="detail.tab-service"),
        Binding("i", "tab('campaigns')", "Campaigns", show=False, id="detail.tab-campaigns"),
        Binding("F", "files", "Files", id="detail.files", tooltip="The customer's files"),
        Binding(
            "V", "visits", "Visits", show=False, id="detail.visits", tooltip="Check-ins, photos"
        ),
    ]

    def __init__(
        self,
        book: Book,
        customer_id: str,
        *,
        tab: str | None = None,
        row_id: str | None = None,
    ) -> None:
        """`row_id`: a record of `tab` (a contact, follow-up, deal or claim) to put the
        cursor on, e.g. what the desk's enter opened."""
        super().__init__(book)
        self.customer_id = customer_id
        self.initial_tab = tab if tab in TABS else "timeline"
        self.focus_row = row_id

    def compose_body(self) -> ComposeResult:
        yield Static(id="card")
        yield InsightPanel(self.book, self.customer_id)  # issue 22: screens/insight.py
        clock = self.book.clock
        columns: dict[str, list[Column]] = {
            "contacts": [
                Column("name", "Name"),
                Column("title", "Title", 12),
                Column("mobile", "Mobile", 15),
                Column("email", "E-mail"),
            ],
            "timeline": [
                Column(
                    "due_at",
                    "Due",
                    18,
                    text=lambda r: ("✓ " if r.get("done_at") else "") + when_text(clock, r),
                ),
                Column("kind", "Kind", 7),
                Column("subject", "Subject"),
                Column("outcome", "Outcome"),
            ],
            "deals": [
                Column("title", "Deal"),
                Column("stage", "Stage", 11),
                Column("amount", "Amount", 16, "right", _money),
                Column("expected_close", "Closes", 10),
            ],
            "expenses": [
                Column("spent_on", "Date", 10),
                Column("category", "Category", 13),
                Column("amount", "Amount", 14, "right", _money),
                Column("status", "Status", 9),
                Column("description", "For"),
            ],
        }
        with TabbedContent(initial=self.initial_tab, id="tabs"):
            for tab, (title, key, entity, _fields) in TABS.items():
                with TabPane(f"{title} \\[{key}]", id=tab):
                    yield RecordTable(
                        columns[tab],
                        customers.records_of(self.book, self.customer_id, entity),
                        id=f"table-{tab}",
                        noun=title.lower(),
                        empty=f"No {title.lower()} yet.",
                        row_style=partial(follow_up_style, clock) if tab == "timeline" else None,
                    )
            yield CustomerDocsPane(self.book, self.customer_id)  # issue 19: its own keys
            yield ContactHistoryPane(self.book, self.customer_id)  # issue 17: contact_log.py
            yield CustomerServicePane(self.book, self.customer_id)  # issue 15: customer_service.py
            yield CustomerCampaignsPane(self.book, self.customer_id)  # issue 16

    def on_mount(self) -> None:
        self.show_card()
        if self.focus_row:
            self.query_one(f"#table-{self.initial_tab}", RecordTable).select_id(self.focus_row)
        self.call_after_refresh(self._focus_tab)

    def _focus_tab(self) -> None:
        self.query_one(f"#table-{self.current_tab}", RecordTable).focus()

    @property
    def current_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active or self.initial_tab

    def show_card(self) -> None:
        """Re-read the customer in a thread worker, then paint the card."""
        self._read_card(self.customer_id)

    @work(thread=True, exclusive=True, group="detail-card", exit_on_error=False)
    def _read_card(self, customer_id: str) -> None:
        customer = customers.get(self.book, customer_id)
        if not get_current_worker().is_cancelled:
            deliver(self.app, self._paint_card, customer)

    def _paint_card(self, customer: Customer | None) -> None:
        card = self.query_one("#card", Static)
        if customer is None:
            card.update("This customer was deleted.")
            return
        self.sub_title = customer.name
        facts = [
            customer.kind,
            customer.status,
            f"grade {customer.grade}" if customer.grade else None,
            customer.city,
            customer.industry,
            customer.phone,
            customer.email,
        ]
        tags = " ".join(f"+{t}" for t in (customer.tags or "").split(",") if t)
        lines = [
            f"[b]{escape(customer.name)}[/b]  " + "  ".join(escape(str(f)) for f in facts if f)
        ]
        if tags:
            lines.append(f"[$accent]{escape(tags)}[/]")
        if customer.notes:
            lines.append(f"[$text-muted]{escape(customer.notes.splitlines()[0])}[/]")
        pooled = pool.card_line(customer, self.book.clock)  # issue 18
        if pooled:
            lines.append(f"[$warning]{escape(pooled)}[/]")
        card.update("\n".join(lines))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.call_after_refresh(self._focus_tab)

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab
        self.call_after_refresh(self._focus_tab)

    def reload(self) -> None:
        self.show_card()
        for table in self.query(RecordTable):
            table.reload()
        refresh_status(self.app)

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.reload()

    def action_mail(self) -> None:
        """`M`: e-mail the contact under the cursor (else the customer) and log it."""
        row = self._current_row() if self.current_tab == "contacts" else None
        mail_contact(self.app, self.book, str(row["id"]) if row else self.customer_id, self._saved)

    def action_quick_log(self) -> None:
        """`l`: log a contact in one line (call 12 asked for a quote); issue 17."""
        name = str(self.sub_title or "")
        self.app.push_screen(QuickLogScreen(self.book, self.customer_id, name), self._saved)

    def action_files(self) -> None:
        """`F`: the customer's files (contract scans, photos); issue 17."""
        title = f"{self.sub_title or ''} · files"
        self.app.push_screen(FilesScreen(self.book, "customer", self.customer_id, title=title))

    def action_visits(self) -> None:
        """`V`: the customer's visit check-ins and their photos; issue 18."""
        from crm_tui.screens.visit_checkins import VisitCheckinsScreen

        title = f"{self.sub_title or ''} · visit check-ins"
        self.app.push_screen(VisitCheckinsScreen(self.book, self.customer_id, title=title))

    def action_survey(self) -> None:
        open_survey(self.app, self.book, self.customer_id, self._surveyed)

    def _surveyed(self, taken: Any) -> None:
        if taken is not None:  # a low score added a call-back to the timeline
            self.reload()
            self.query_one(InsightPanel).load()

    def action_add(self) -> None:
        if self.current_tab not in TABS:  # a tab with its own keys (quotes & contracts)
            return
        title, _key, entity, fields = TABS[self.current_tab]
        book, customer_id = self.book, self.customer_id

        def save(values: dict[str, str]) -> Any:
            return customers.add_record(book, customer_id, entity, values)

        name = word_for(entity)
        initial = customers.new_record_defaults(book, customer_id, entity)
        self.app.push_screen(
            RecordForm(
                entity, title=f"New {name}", initial=initial, fields=fields, save=save, book=book
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        book, customer_id = self.book, self.customer_id
        record = customers.get(book, customer_id)
        if record is None:
            return
        self.app.push_screen(
            RecordForm(
                "customer",
                title=f"Edit {record.name}",
                initial=record.model_dump(),
                fields=CUSTOMER_FIELDS,
                save=lambda changes: customers.update(book, customer_id, changes),
                book=book,
            ),
            self._saved,
        )

    def _current_row(self) -> dict[str, Any] | None:
        return self.query_one(f"#table-{self.current_tab}", RecordTable).current_row

    def action_done(self) -> None:
        row = self._current_row()
        if self.current_tab != "timeline" or row is None:
            self.notify("Pick a follow-up in the Follow-ups tab first.", severity="warning")
            return
        mark_done(self.app, self.book, str(row["id"]), self._saved)

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        _title, _key, entity, fields = TABS[self.current_tab]
        row_id = event.row_id
        if entity in ("activity", "opportunity"):
            # The record itself, cursor on it (issue 13 item 15); `E` edits it here.
            self.shell.open_record(entity, row_id, self.customer_id)
            return
        self._edit_row(entity, row_id, fields)

    def action_edit_row(self) -> None:
        row = self._current_row()
        if row is None or self.current_tab not in TABS:
            self.notify("Pick a row first.", severity="warning")
            return
        _title, _key, entity, fields = TABS[self.current_tab]
        self._edit_row(entity, str(row["id"]), fields)

    def _edit_row(self, entity: str, row_id: str, fields: list[str]) -> None:
        book = self.book
        if entity == "activity":
            edit_follow_up(self.app, book, row_id, self._saved)
            return
        record = records.get(book, entity, row_id)
        if record is None:
            return
        self.app.push_screen(
            RecordForm(
                entity,
                title=f"Edit {word_for(entity)}",
                initial=record.model_dump(),
                fields=fields,
                save=lambda changes: records.update(book, entity, row_id, changes),
                book=book,
            ),
            self._saved,
        )
