"""Provides `SimpleListScreen`: a section that lists one kind of record (partners, products,
competitors, campaigns) on the lazy table with the `/` bar, `n` to add one and `e` or `enter`
to edit it in a `RecordForm`, `escape` back.

A subclass declares what differs: `entity`, `noun`, its columns, the form's fields, the line
above the bar, the bar's hint, the list's order, and three service calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from crm_tui.screens.base import ListScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import RecordTable


def simple_bindings(noun: str, entity: str, extra: list[BindingType]) -> list[BindingType]:
    """n, e, (extra), /, escape; ids named after the noun (`partners.new`: keymaps use them)."""
    return [
        Binding("n", "new", "New", id=f"{noun}.new", tooltip=f"Add a {entity}"),
        Binding("e", "edit", "Edit", id=f"{noun}.edit", tooltip=f"Edit this {entity}"),
        *extra,
        Binding("slash", "focus_query", "Filter", id=f"{noun}.filter"),
        Binding("escape", "back", "Back", id=f"{noun}.back", tooltip="Close this list"),
    ]


class SimpleListScreen(ListScreen):
    """One kind of record by name (or the subclass's `order`), added and edited in a form."""

    form_fields: ClassVar[list[str]]  # the form's fields, in order
    summary: ClassVar[str]  # the line above the bar
    placeholder: ClassVar[str]  # the bar's hint
    order: ClassVar[list[str] | None] = None  # None: the list service's own order
    extra_bindings: ClassVar[list[BindingType]] = []  # keys shown between `e` and `/`

    # The service calls, as `staticmethod(service.function)`: (book, values) -> record,
    # (book, id) -> record or None, (book, id, changes) -> record.
    add_record: ClassVar[Callable[..., Any]]
    get_record: ClassVar[Callable[..., Any]]
    edit_record: ClassVar[Callable[..., Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Before Textual merges the bindings (DOMNode.__init_subclass__): each list gets its
        # own n/e/slash/escape ids, and `u` there undoes a change to its own kind.
        if "entity" in cls.__dict__:
            if "BINDINGS" not in cls.__dict__:
                cls.BINDINGS = simple_bindings(cls.noun, cls.entity, cls.extra_bindings)
            if "undo_entity" not in cls.__dict__:
                cls.undo_entity = cls.entity
        super().__init_subclass__(**kwargs)

    def make_source(self) -> Any:
        if self.order is None:
            return super().make_source()
        from crm_tui.services import lists

        return lists.source(self.book, self.entity, self.opening_filter(), order=self.order)

    def compose_top(self) -> ComposeResult:
        yield Static(self.summary, classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = self.placeholder

    def action_new(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                self.entity,
                title=f"New {self.entity}",
                fields=self.form_fields,
                save=lambda values: self.add_record(book, values),
                book=book,
            ),
            self.added,
        )

    def action_edit(self) -> None:
        row = self.table.current_row
        if row is not None:
            self.edit(str(row["id"]))

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.open_row(event.row_id)

    def open_row(self, row_id: str) -> None:
        """`enter` on a row: its form (campaigns open their members instead)."""
        self.edit(row_id)

    def edit(self, row_id: str) -> None:
        book = self.book
        record = self.get_record(book, row_id)
        if record is None:
            return
        self.app.push_screen(
            RecordForm(
                self.entity,
                title=f"{self.entity.capitalize()}: {record.name}",
                initial=record.model_dump(),
                fields=self.form_fields,
                save=lambda changes: self.edit_record(book, row_id, changes),
                book=book,
            ),
            self.saved,
        )

    def added(self, record: Any) -> None:
        """A new record's form closed (`record` None: cancelled)."""
        self.saved(record)

    def saved(self, record: Any) -> None:
        """A form closed (`record` None: cancelled)."""
        if record is not None:
            self.notify(f"Saved {record.name}.")
            self.reload()

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
