"""Provides `RecordForm`: a modal form for any entity, built from the field registry.

One input per field (a select for enums, a checkbox for yes/no, a name picker for
references), each with a line under it for a hint (the date a rep's "fri" means) or the
error the save refused. A refused save leaves the form open with everything as typed, shows
every field's error at once and puts the cursor on the first; escape on a changed form asks
before discarding; a new customer that looks like an existing one asks first (item 7).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from crm_tui.domain.dates import DateError, parse_when
from crm_tui.domain.fields import (
    ENTITIES,
    FieldSpec,
    ValidationErrors,
    parse_values,
)
from crm_tui.domain.money import DEFAULT_CURRENCY, format_money
from crm_tui.screens.look_alikes import LookAlikeScreen
from crm_tui.screens.pickers import ConfirmScreen, RefPicker, check_receipt, date_hint
from crm_tui.screens.shell import book_of, book_ready, shell_of
from crm_tui.services.book import Book
from crm_tui.services.customers_match import matching_customers
from crm_tui.services.words import word_for

# Kept by the app itself (clocks, approvals), never typed in a form.
_SYSTEM_FIELDS = {"stage_changed_at", "submitted_at", "decided_at", "approver_id", "status"}


def default_fields(entity: str) -> list[str]:
    """The fields a form shows when the caller does not choose them."""
    spec = ENTITIES[entity]
    return [
        f.name
        for f in spec.fields
        if f.name not in _SYSTEM_FIELDS and f.kind != "currency" and f.name != "decision_note"
    ]


def value_text(spec: FieldSpec, value: Any, record: dict[str, Any], book: Book | None) -> str:
    """A stored value as the text a rep would type to get it back."""
    if value is None:
        return ""
    if spec.kind == "money":
        currency = record.get("currency") or DEFAULT_CURRENCY
        home = book.input_context.currency if book is not None else DEFAULT_CURRENCY
        text = format_money(int(value), currency, symbol=False)
        return text if currency == home else f"{currency} {text}"
    if isinstance(value, datetime):
        if book is None:
            return value.strftime("%Y-%m-%d %H:%M")
        local = book.clock.to_local(value)
        if record.get("all_day"):
            return local.date().isoformat()
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if spec.kind == "bool":
        return "yes" if value else "no"
    return str(value)


def field_title(spec: FieldSpec) -> str:
    """A field's label in the screens' words: a claim's "Deal", not "Opportunity"."""
    if spec.kind == "ref" and spec.ref in ("opportunity", "activity", "expense"):
        return word_for(spec.ref).capitalize()
    return spec.title


class RecordForm(ModalScreen[Any]):
    """Edit the fields of one record; `save` gets the typed text and may raise ValidationErrors.

    With an `id` in `initial` the form edits that record and passes `save` only the fields
    the rep changed; otherwise it passes every field.
    """

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        entity: str,
        *,
        title: str,
        initial: dict[str, Any] | None = None,
        fields: list[str] | None = None,
        save: Callable[[dict[str, str]], Any],
        book: Book | None = None,
    ) -> None:
        super().__init__()
        self.entity = entity
        self.spec = ENTITIES[entity]
        self.form_title = title
        self.initial = dict(initial or {})
        self.field_names = fields or default_fields(entity)
        self.save = save
        self._book = book  # None: the app's (a form may open before the book has)
        self.initial_text: dict[str, str] = {}
        self._refused: dict[str, str] = {}  # field -> the text a save refused

    @property
    def book(self) -> Book | None:
        if self._book is not None:
            return self._book
        return book_of(self.app) if book_ready(self.app) else None

    @property
    def editing(self) -> bool:
        return bool(self.initial.get("id"))

    def compose(self) -> ComposeResult:
        with Vertical(id="form") as form:
            # Title and keys sit in the border, so every row of a short terminal is a field.
            form.border_title = self.form_title
            form.border_subtitle = "ctrl+s save · escape cancel · tab next"
            yield Static("", id="form-error", classes="error")
            # Not a tab stop of its own: tab after the last field goes back to the first.
            with VerticalScroll(id="form-fields", can_focus=False):
                for name in self.field_names:
                    spec = self.spec.field(name)
                    text = value_text(spec, self.initial.get(name), self.initial, self.book)
                    self.initial_text[name] = text
                    label = field_title(spec) + (" *" if spec.required else "")
                    with Horizontal(classes="field-row"):
                        yield Label(label, classes="field-label")
                        with Vertical(classes="field-cell"):
                            yield self._input(spec, text)
                            yield Static("", id=f"note-{name}", classes="field-note")

    def _input(self, spec: FieldSpec, text: str) -> Widget:
        wid = f"f-{spec.name}"
        if spec.kind == "enum":
            value = text if text in spec.choices else Select.NULL
            return Select(
                [(c, c) for c in spec.choices],
                value=value,
                allow_blank=not text,
                prompt="(default)",
                compact=True,
                id=wid,
            )
        if spec.kind == "bool":
            return Checkbox("", text == "yes", compact=True, id=wid)
        if spec.kind == "longtext":
            kinds = [self.spec.field(name).kind for name in self.field_names]
            tall = " tall" if kinds.count("longtext") == 1 else ""  # e.g. an announcement's body
            return TextArea(text, compact=True, id=wid, classes="longtext" + tall)
        if spec.kind == "ref" and self.book is not None:
            return RefPicker(self.book, spec.ref or "", text, id=wid)
        placeholder = _FIELD_PLACEHOLDERS.get(spec.name) or _PLACEHOLDERS.get(spec.kind, "")
        return Input(text, placeholder=placeholder, compact=True, id=wid)

    def on_mount(self) -> None:
        self.query_one("#form-error", Static).display = False
        for name in self.field_names:
            self._show_hint(name, self.initial_text.get(name, ""))
        first = self.query("#form-fields Input, #form-fields Select, #form-fields TextArea")
        if first:
            first.first().focus()

    # --- hints and errors ------------------------------------------------------------------
    def _note(self, name: str) -> Static:
        return self.query_one(f"#note-{name}", Static)

    def _show_hint(self, name: str, text: str) -> None:
        spec = self.spec.field(name)
        hint = ""
        book = self.book
        if spec.kind == "date" and book is not None:
            hint = date_hint(text, book.clock.today())
        elif spec.kind == "datetime" and book is not None and text.strip():
            try:
                moment, all_day = parse_when(text, book.clock)
                local = book.clock.to_local(moment)
                hint = "→ " + local.strftime("%a %Y-%m-%d" if all_day else "%a %Y-%m-%d %H:%M")
            except DateError:
                hint = ""
        note = self._note(name)
        note.update(hint)
        note.remove_class("error")
        note.display = bool(hint)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Mark each refused field; errors about fields not on the form go in the top line."""
        general = []
        for name, message in errors.items():
            if name in self.field_names:
                widget = self.query_one(f"#f-{name}")
                if isinstance(widget, Input):
                    self._refused[name] = widget.value
                elif isinstance(widget, RefPicker):
                    self._refused[name] = widget.input.value
                note = self._note(name)
                note.update(message)
                note.add_class("error")
                note.display = True
            else:
                label = field_title(self.spec.by_name[name]) if name in self.spec.by_name else name
                general.append(f"{label}: {message}" if label else message)
        top = self.query_one("#form-error", Static)
        top.update("\n".join(general))
        top.display = bool(general)
        bad = [n for n in self.field_names if n in errors]
        if bad:
            first = self.query_one(f"#f-{bad[0]}")
            (first.input if isinstance(first, RefPicker) else first).focus()
            first.scroll_visible()

    def clear_errors(self) -> None:
        self._refused.clear()
        for name in self.field_names:
            widget = self.query_one(f"#f-{name}")
            self._show_hint(name, widget.value if isinstance(widget, Input) else "")
        top = self.query_one("#form-error", Static)
        top.update("")
        top.display = False

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        widget = event.input if event.input.id else event.input.parent
        if widget is None or not widget.id or not widget.id.startswith("f-"):
            return
        name = widget.id[2:]
        # A change message can arrive after the save that refused this very text.
        if self._refused.get(name) == event.value:
            return
        self._refused.pop(name, None)
        self._show_hint(name, event.value)

    # --- values ----------------------------------------------------------------------------
    def text_of(self, name: str) -> str:
        """What the rep has typed or picked in one field, as text the registry parses."""
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        if isinstance(widget, Checkbox):
            return "yes" if widget.value else "no"
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, RefPicker):
            return widget.resolved()
        assert isinstance(widget, Input)
        return widget.value

    def collect(self) -> tuple[dict[str, str], dict[str, str]]:
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        for name in self.field_names:
            try:
                text = self.text_of(name)
            except ValueError as exc:
                errors[name] = str(exc)
                continue
            if self.editing and text == self.initial_text.get(name, ""):
                continue
            if not self.editing and not text and not self.spec.field(name).required:
                continue  # a new record takes the default (e.g. the stage's probability)
            values[name] = text
        return values, errors

    def precheck(self, values: dict[str, str]) -> dict[str, str]:
        """Every error the form can see before saving, so a save refuses in one round."""
        errors: dict[str, str] = {}
        for name in self.field_names:
            if self.spec.field(name).required and name in values and not values[name].strip():
                errors[name] = "is required"
        book = self.book
        plain = {
            n: t for n, t in values.items() if n not in errors and self.spec.field(n).kind != "ref"
        }
        if book is not None and plain:
            try:
                parse_values(self.entity, plain, book.input_context)
            except ValidationErrors as exc:
                errors.update({k: v for k, v in exc.by_field().items() if k in self.field_names})
        if self.entity == "expense" and "receipt" in values:
            problem = check_receipt(values["receipt"])
            if problem:
                errors["receipt"] = problem
        return errors

    def action_save(self) -> None:
        self.clear_errors()
        values, errors = self.collect()
        errors.update({k: v for k, v in self.precheck(values).items() if k not in errors})
        if errors:
            self.show_errors(errors)
            return
        book = self.book
        if self.entity == "customer" and not self.editing and book is not None:
            matches = matching_customers(book, values)
            from crm_tui.screens.pool_match import offer_pool_claim  # issue 18: 撞单

            if offer_pool_claim(self, book, values, matches):
                return
            if matches:
                self.app.push_screen(
                    LookAlikeScreen(values.get("name", ""), matches),
                    lambda choice: self._look_alike_answer(choice, values),
                )
                return
        self._save(values)

    def _look_alike_answer(self, choice: str | None, values: dict[str, str]) -> None:
        """'create': save anyway; a customer id: open that one instead; None: back to the form."""
        if choice == "create":
            self._save(values)
        elif choice:
            self.dismiss(None)
            shell_of(self.app).open_record("customer", choice)

    def _save(self, values: dict[str, str]) -> None:
        try:
            result = self.save(values)
        except ValidationErrors as exc:
            self.show_errors(exc.by_field())
            return
        except (LookupError, ValueError) as exc:  # LookupError: a record that is gone
            self.show_errors({"": str(exc)})
            return
        self.dismiss(result)

    def changed(self) -> bool:
        """Whether anything differs from what the form opened with."""
        for name in self.field_names:
            try:
                text = self.text_of(name)
            except ValueError:
                return True  # a name typed in a picker that matches nothing yet
            before = self.initial_text.get(name, "")
            if self.spec.field(name).kind == "bool":
                before = before or "no"
            if text != before:
                return True
        return False

    def action_cancel(self) -> None:
        if not self.changed():
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard the changes?", yes="Discard", no="Keep editing"), answer
        )


_PLACEHOLDERS = {
    "money": "1234.50, 1.2万, USD 300",
    "date": "2026-11-30, fri, +3d, eom",
    "datetime": "fri 14:30, tomorrow, 2026-11-30 09:00",
    "percent": "0-100",
    "tags": "vip, cold",
    "email": "name@example.com",
}

# Dates that lie in the past (or recur) get examples of their own, not "fri, +3d, eom".
_FIELD_PLACEHOLDERS = {
    "birthday": "1990-05-17, 5月17日",
    "spent_on": "2026-11-30, yesterday, -3d",
    "received_on": "2026-11-30, today, -2d",
    "signed_on": "2026-11-30, today, -2d",
    "decided_on": "2026-11-30, today",
    "closed_on": "2026-11-30, today",
}
