"""Provides `SavedViews`: the sidebar of a list screen's saved queries.

enter runs a view (posts `SavedViews.ViewSelected`), `s` saves the screen's current query
under a name, `p` pins a view to the desk, `k` binds it to a key (f2-f12), `d` deletes it.
Names and keys are typed in a line at the bottom of the sidebar. Storage is injected (a
`SavedViewStore`), so the widget never touches the database itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class ViewStore(Protocol):
    def list(self, screen: str, seed: bool = True) -> list[Any]: ...

    def save(self, screen: str, name: str, query: str) -> Any: ...

    def toggle_pin(self, row_id: str) -> bool: ...

    def bind_key(self, row_id: str, key: str | None) -> None: ...

    def delete(self, row_id: str) -> None: ...


class SavedViews(Vertical):
    """Saved views of one screen, with keys to run, save, pin, bind and delete them."""

    DEFAULT_CSS = """
    SavedViews { dock: left; width: 30; border-right: solid $primary-background; display: none; }
    SavedViews.-shown { display: block; }
    SavedViews > .views-title { text-style: bold; padding: 0 1; }
    SavedViews > OptionList { height: 1fr; border: none; }
    SavedViews > Input { display: none; }
    SavedViews > Input.-asking { display: block; }
    SavedViews > .views-note { color: $text-muted; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "save", "Save query", id="views.save", tooltip="Save the current query"),
        Binding("p", "pin", "Pin", id="views.pin", tooltip="Pin to the desk (or unpin)"),
        Binding("k", "bind", "Key", id="views.key", tooltip="Bind this view to f2-f12"),
        Binding("d", "delete", "Delete", id="views.delete", tooltip="Delete this view"),
        Binding("escape", "leave", "Back", show=False),
    ]
    """enter runs the highlighted view; s/p/k/d save, pin, bind and delete."""

    class ViewSelected(Message):
        """Run this view's query on the screen."""

        def __init__(self, name: str, query: str) -> None:
            super().__init__()
            self.name = name
            self.query = query

    class Closed(Message):
        """The sidebar closed: the screen puts focus back on its list."""

    def __init__(
        self, store: ViewStore, screen_key: str, current_query: Callable[[], str], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.screen_key = screen_key
        self.current_query = current_query
        self.views: list[Any] = []
        self._asking: tuple[str, str | None] | None = None  # (what, view id)

    def compose(self) -> ComposeResult:
        yield Static("Views", classes="views-title")
        yield OptionList(id="views-list")
        yield Input(id="views-input")
        yield Static(
            "enter run · s save · p pin · k key · d delete", classes="views-note", id="views-note"
        )

    def on_mount(self) -> None:
        # The defaults are added when the sidebar is first opened, not when a list opens.
        self.reload(seed=False)

    @property
    def options(self) -> OptionList:
        return self.query_one("#views-list", OptionList)

    @property
    def input(self) -> Input:
        return self.query_one("#views-input", Input)

    def reload(self, seed: bool = True) -> None:
        self.views = self.store.list(self.screen_key, seed=seed)
        options = self.options
        highlighted = options.highlighted
        options.clear_options()
        for view in self.views:
            marks = ("★ " if view.pinned else "") + (f"[{view.key}] " if view.key else "")
            options.add_option(Option(f"{marks}{view.name}", id=view.id))
        if self.views:
            options.highlighted = min(highlighted or 0, len(self.views) - 1)

    def show(self, focus: bool = True) -> None:
        self.reload()
        self.add_class("-shown")
        if focus:
            self.options.focus()

    def toggle(self) -> None:
        if self.has_class("-shown") and self.options.has_focus:
            self._close()
        else:
            self.show()

    def query_for_key(self, key: str) -> tuple[str, str] | None:
        """(name, query) of the view bound to `key`, if any."""
        for view in self.views:
            if view.key and view.key == key:
                return view.name, view.query or ""
        return None

    @property
    def current(self) -> Any | None:
        index = self.options.highlighted
        if index is None or not 0 <= index < len(self.views):
            return None
        return self.views[index]

    @on(OptionList.OptionSelected, "#views-list")
    def _run(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        view = next((v for v in self.views if v.id == event.option.id), None)
        if view is not None:
            self.post_message(self.ViewSelected(view.name, view.query or ""))

    # --- asking for a name or a key ----------------------------------------------------------
    def _ask(self, what: str, row_id: str | None, placeholder: str, value: str = "") -> None:
        self._asking = (what, row_id)
        box = self.input
        box.placeholder = placeholder
        box.value = value
        box.add_class("-asking")
        box.focus()

    def _note(self, text: str) -> None:
        self.query_one("#views-note", Static).update(text)

    def action_save(self) -> None:
        if not self.current_query().strip():
            self._note("type a query first, then s to save it")
            return
        self._ask("save", None, "name of this view")

    def action_bind(self) -> None:
        view = self.current
        if view is not None:
            self._ask("key", view.id, "key: f2 … f12 (empty to unbind)", view.key or "")

    def action_pin(self) -> None:
        view = self.current
        if view is None:
            return
        pinned = self.store.toggle_pin(view.id)
        self._note(f"{view.name}: {'pinned to the desk' if pinned else 'unpinned'}")
        self.reload()

    def action_delete(self) -> None:
        view = self.current
        if view is None:
            return
        self.store.delete(view.id)
        self._note(f"deleted {view.name}")
        self.reload()

    def action_leave(self) -> None:
        if self._asking is not None:
            self._finish()
            return
        self._close()

    def _close(self) -> None:
        self.remove_class("-shown")
        self.post_message(self.Closed())  # the list takes focus, not the query bar after us

    def _finish(self) -> None:
        self._asking = None
        self.input.remove_class("-asking")
        self.options.focus()

    @on(Input.Submitted, "#views-input")
    def _answered(self, event: Input.Submitted) -> None:
        event.stop()
        if self._asking is None:
            return
        what, row_id = self._asking
        text = event.value.strip()
        try:
            if what == "save":
                if not text:
                    self._note("a view needs a name")
                    return
                self.store.save(self.screen_key, text, self.current_query())
                self._note(f"saved {text}")
            elif row_id is not None:
                self.store.bind_key(row_id, text or None)
                self._note(f"bound to {text}" if text else "key removed")
        except ValueError as exc:
            self._note(str(exc))
            return
        self._finish()
        self.reload()
