"""Provides the contact log's screens (联系记录, issue 17): `ContactLogScreen`, every
contact on the lazy table, newest first, with the `/` bar (`channel:call`, `at>-7d`);
`QuickLogScreen`, the one-line quick log (`call 12 asked for a quote`) the customer page's
`l` opens; and `ContactHistoryPane`, the customer page's contact-history tab.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static, TabPane

from crm_tui.domain import contact_log_specs as office
from crm_tui.screens.base import ListScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import contact_log
from crm_tui.services.book import Book
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

ARROWS = {"out": "→", "in": "←"}
LOG_FIELDS = ["channel", "direction", "at", "minutes", "contact_id", "summary"]


def when_cell(book: Book) -> Any:
    def cell(row: dict[str, Any]) -> str:
        return contact_log.local_text(book, row.get("at"))

    return cell


def minutes_cell(row: dict[str, Any]) -> str:
    value = row.get("minutes")
    return "" if value in (None, "") else f"{value} min"


def channel_cell(row: dict[str, Any]) -> str:
    return f"{ARROWS.get(str(row.get('direction')), '')} {row.get('channel') or ''}".strip()


class QuickLogScreen(PromptScreen):
    """One line: channel, minutes, what happened; the hint says how it was read."""

    def __init__(self, book: Book, customer_id: str, customer_name: str = "") -> None:
        self.book, self.customer_id = book, customer_id

        def validate(text: str) -> str | None:
            try:
                channel, minutes, summary = office.parse_quick_log(text)
                contact_log.log(
                    book, customer_id, channel=channel, minutes=minutes, summary=summary or None
                )
            except Exception as exc:  # noqa: BLE001 - the refusal is shown in the dialog
                return contact_log.refusal(exc)
            return None

        super().__init__(
            f"Log a contact with {customer_name or 'this customer'}",
            "",
            f"call 12 asked for a quote   ({office.CHANNEL_HINT})",
            validate,
        )

    def hint(self, text: str) -> str:
        if not text.strip():
            return "channel, minutes, what happened"
        try:
            channel, minutes, summary = office.parse_quick_log(text)
        except office.OfficeError as exc:  # short here; enter shows the whole refusal below
            return exc.message.split(" (", 1)[0]
        took = f", {minutes} min" if minutes is not None else ""
        return f"{channel}{took}: {summary or '(no summary)'}"

    def on_input_changed(self, event: Any) -> None:
        self.show_hint(event.value)


class ContactLogScreen(ListScreen):
    """Every contact logged on this laptop, newest first."""

    entity = "contact_log"
    noun = "contacts"
    undo_entity = "contact_log"
    CSS_PATH = "sections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Filter", id="contact_log.filter"),
        Binding("escape", "back", "Back", id="contact_log.back", tooltip="Close this list"),
    ]

    names: dict[str, str] = {}

    def make_source(self) -> Any:
        from crm_tui.services import lists

        return lists.source(
            self.book, self.entity, self.opening_filter(), order=("at", "id"), descending=True
        )

    def columns(self) -> list[Column]:
        return [
            Column("at", "When", 16, text=when_cell(self.book)),
            Column("channel", "Channel", 10, text=channel_cell),
            Column("minutes", "Time", 7, "right", minutes_cell),
            Column("customer_id", "Customer", 22, text=self._customer),
            Column("summary", "Summary", 0),
        ]

    def _customer(self, row: dict[str, Any]) -> str:
        return self.names.get(str(row.get("customer_id")), "…")

    def compose_top(self) -> ComposeResult:
        yield Static("Contact log (联系记录)", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: channel:call at>-7d 报价"
        self.run_worker(self._load_names, thread=True, group="contact-names", exclusive=True)

    def _load_names(self) -> None:
        names = contact_log.customer_names(self.book)
        self.app.call_from_thread(self._show_names, names)

    def _show_names(self, names: dict[str, str]) -> None:
        self.names = names
        self.table.refresh()

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        customer_id = str(event.row.get("customer_id") or "")
        if customer_id:
            self.shell.open_record("customer", customer_id)

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()


HISTORY_TAB = "history"
HISTORY_KEY = "h"


class ContactHistoryPane(TabPane):
    """The customer page's contact history (联系记录), newest first."""

    def __init__(self, book: Book, customer_id: str) -> None:
        super().__init__(f"Contact log \\[{HISTORY_KEY}]", id=HISTORY_TAB)
        self.book = book
        self.customer_id = customer_id

    def compose(self) -> ComposeResult:
        yield RecordTable(
            [
                Column("at", "When", 16, text=when_cell(self.book)),
                Column("channel", "Channel", 10, text=channel_cell),
                Column("minutes", "Time", 7, "right", minutes_cell),
                Column("summary", "Summary", 0),
            ],
            contact_log.history_source(self.book, self.customer_id),
            id=f"table-{HISTORY_TAB}",
            noun="contacts",
            empty="No contacts logged yet: l logs one.",
        )

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        """`enter` edits the entry (the page's own handler knows only its own tabs)."""
        event.stop()
        book, row_id = self.book, event.row_id
        record = contact_log.get(book, row_id)
        if record is None:
            return
        self.app.push_screen(
            RecordForm(
                "contact_log",
                title="Edit contact",
                initial=record.model_dump(),
                fields=LOG_FIELDS,
                save=lambda changes: contact_log.update(book, row_id, changes),
                book=book,
            ),
            lambda saved: self.query_one(RecordTable).reload() if saved is not None else None,
        )


def mail(app: Any, book: Book, ref: str, then: Any = None) -> None:
    """Compose an e-mail to a contact (or the customer) in the system mail client and log
    it (the customer page's `M`)."""
    try:
        url, _ = contact_log.compose_mail(
            book, ref, opener=lambda u: contact_log.open_url(u, wait=False)
        )
    except Exception as exc:  # noqa: BLE001 - said in a notification
        app.notify(contact_log.refusal(exc), severity="warning")
        return
    app.notify(f"Mail client opened ({url.split('?')[0]}); logged.", timeout=3)
    if then is not None:
        then(True)
