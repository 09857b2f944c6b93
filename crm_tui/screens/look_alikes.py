"""Provides `LookAlikeScreen`: the question a new customer gets when the book already has
one with the same normalised name, phone or e-mail (services.customers_match): open the
existing one, or create anyway (issue 13 item 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from crm_tui.services.customers_match import CustomerMatch

CREATE = "create"


class LookAlikeScreen(ModalScreen[str | None]):
    """Dismisses with a match's customer id (open it), "create" (save anyway) or None
    (back to the form)."""

    DEFAULT_CSS = """
    LookAlikeScreen { align: center middle; background: $background 60%; }
    LookAlikeScreen > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    LookAlikeScreen .dialog-title { text-style: bold; margin-bottom: 1; }
    LookAlikeScreen OptionList { height: auto; max-height: 8; }
    LookAlikeScreen .hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "create", "Create anyway"),
        Binding("escape", "back", "Back to the form"),
    ]

    def __init__(self, name: str, matches: list[CustomerMatch]) -> None:
        super().__init__()
        self.new_name = name
        self.matches = matches

    def compose(self) -> ComposeResult:
        many = len(self.matches) > 1
        title = (
            f"{len(self.matches)} customers look like '{self.new_name}'"
            if many
            else f"A customer looks like '{self.new_name}'"
        )
        with Vertical():
            yield Static(title, classes="dialog-title")
            yield OptionList(
                *(Option(f"Open {m.line()}", id=m.id) for m in self.matches),
                Option(f"Create '{self.new_name}' anyway", id=CREATE),
                id="look-alikes",
            )
            yield Static("enter open · c create anyway · escape back", classes="hint")

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        menu.highlighted = 0
        menu.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(str(event.option.id))

    def action_create(self) -> None:
        self.dismiss(CREATE)

    def action_back(self) -> None:
        self.dismiss(None)
