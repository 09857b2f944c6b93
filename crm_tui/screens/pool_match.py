"""Provides 撞单 in the new-customer form (issue 18): when the new customer matches one in
the pool, the form offers to claim that one instead; when it matches another rep's, it
says whose it is and offers to open it (ask the manager to reassign) — a second copy only
on purpose. `offer_pool_claim` is called from screens/forms.py before its look-alike dialog.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.services import pool

CREATE = "create"


class CollisionScreen(ModalScreen[str | None]):
    """Dismisses with 'claim:<id>', 'open:<id>', 'create' or None (back to the form)."""

    DEFAULT_CSS = """
    CollisionScreen { align: center middle; background: $background 60%; }
    CollisionScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    CollisionScreen .dialog-title { text-style: bold; margin-bottom: 1; }
    CollisionScreen OptionList { height: auto; max-height: 8; }
    CollisionScreen .hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back to the form"),
    ]

    def __init__(self, name: str, clashes: list[pool.Collision]) -> None:
        super().__init__()
        self.new_name = name
        self.clashes = clashes

    def compose(self) -> ComposeResult:
        options = []
        for c in self.clashes:
            if c.in_pool:
                options.append(
                    Option(f"Claim '{c.name}' from the pool", id=f"claim:{c.customer_id}")
                )
            else:
                options.append(
                    Option(
                        f"Open '{c.name}' ({c.owner}'s): ask your manager to reassign it",
                        id=f"open:{c.customer_id}",
                    )
                )
        options.append(Option(f"Create a second '{self.new_name}' anyway", id=CREATE))
        with Vertical():
            yield Static(f"'{self.new_name}' is already in the book (撞单)", classes="dialog-title")
            for c in self.clashes:
                yield Static(c.line())
            yield OptionList(*options, id="collisions")
            yield Static("enter choose · escape back to the form", classes="hint")

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        menu.highlighted = 0
        menu.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(str(event.option.id))

    def action_back(self) -> None:
        self.dismiss(None)


def offer_pool_claim(form: Any, book: Any, values: dict[str, Any], matches: list[Any]) -> bool:
    """Push the 撞单 dialog when a look-alike is in the pool or another rep's; True if it
    did (the form then waits for the answer), False to go on as before."""
    clashes = pool.collisions(book, matches)
    if not clashes:
        return False

    def answer(choice: str | None) -> None:
        if choice is None:
            return
        if choice == CREATE:
            form._save(values)
            return
        step, _, row_id = choice.partition(":")
        if step == "claim":
            try:
                claimed = pool.claim(book, row_id)
            except Exception as exc:  # the cap or the reclaim wait: say so in the form
                errors = getattr(exc, "errors", None)
                form.show_errors({"": "; ".join(e.message for e in errors) if errors else str(exc)})
                return
            form.notify(f"Claimed {claimed.name}: yours now, pending until the next sync.")
        form.dismiss(None)
        from crm_tui.screens.shell import shell_of

        shell_of(form.app).open_record("customer", row_id)

    form.app.push_screen(CollisionScreen(str(values.get("name") or ""), clashes), answer)
    return True
