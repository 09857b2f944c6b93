"""Provides `FilesScreen`: the files of one record (a customer's contract scan, a claim's
receipt) or the team library with its folders. `a` attaches a file (its size is checked
as the path is typed, before anything is copied), `enter`/`o` opens it with the system
viewer, `s` saves a copy, `p` pins it for offline use, `d` deletes it, `n` makes a folder
and `backspace` goes up one (library only).

Reads and file work run in workers; the UI thread never waits on the database or a
download.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.screens.base import CrmScreen
from crm_tui.screens.pickers import ConfirmScreen, PromptScreen
from crm_tui.services import files
from crm_tui.services.book import Book
from crm_tui.widgets.deliver import deliver


class FilesScreen(CrmScreen):
    """A record's files (`entity` + `record_id`), or the team library when both are None."""

    CSS_PATH = "office_files.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "attach", "Attach", id="files.attach", tooltip="Attach a file"),
        Binding("o", "open", "Open", id="files.open", tooltip="Open with the system viewer"),
        Binding("s", "save_copy", "Save copy", id="files.save", tooltip="Save a copy"),
        Binding("p", "pin", "Pin", id="files.pin", tooltip="Keep it on this laptop offline"),
        Binding("d", "delete", "Delete", id="files.delete", tooltip="Delete this file"),
        Binding("n", "new_folder", "Folder", id="files.folder", tooltip="New library folder"),
        Binding("backspace", "up", "Up", id="files.up", tooltip="The folder above"),
        Binding("escape", "back", "Back", id="files.back"),
    ]

    def __init__(
        self,
        book: Book,
        entity: str | None = None,
        record_id: str | None = None,
        *,
        title: str = "",
    ) -> None:
        super().__init__(book)
        self.entity = entity
        self.record_id = record_id
        self.title_text = title or ("Team library" if record_id is None else "Files")
        self.folder_path: list[tuple[str, str]] = []  # (id, name) from the top
        self.by_id: dict[str, Any] = {}

    @property
    def is_library(self) -> bool:
        return self.record_id is None

    def compose_body(self) -> ComposeResult:
        yield Static(self.title_text, id="files-title", classes="section-summary")
        yield OptionList(id="files-list")
        yield Static("", id="files-status", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#files-list", OptionList).focus()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_folder", "up") and not self.is_library:
            return False
        return True

    # --- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="files-load", exit_on_error=False)
    def _load(self) -> None:
        book = self.book
        if self.is_library:
            folder = self.folder_path[-1][0] if self.folder_path else None
            folders, found = files.library(book, folder)
        else:
            folders, found = [], files.files_of(book, self.entity, self.record_id or "")
        rows = [(f, None, None) for f in folders] + [
            (a, files.is_here(book, a), files.is_pinned(book, a)) for a in found
        ]
        deliver(self.app, self._show, rows, files.used_text(book))

    def _show(self, rows: list[tuple[Any, bool | None, bool | None]], used: str) -> None:
        listing = self.query_one("#files-list", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        self.by_id = {}
        for rec, here, pinned in rows:
            self.by_id[rec.id] = rec
            if here is None:
                label = Text.assemble(("▸ ", "bold"), (f"{rec.name}/", "bold"))
            else:
                label = Text.assemble(
                    (f"{rec.name}", "bold" if here else ""),
                    f"  {files.human_size(rec.size)}",
                    ("  offline" if pinned else "", "green"),
                    ("" if here else "  (on the server)", "dim"),
                    (f"  {rec.note}" if rec.note else "", "italic"),
                )
            listing.add_option(Option(label, id=rec.id))
        if rows:
            listing.highlighted = min(highlighted or 0, len(rows) - 1)
        where = " / ".join(["library", *(name for _, name in self.folder_path)])
        status = f"{len(rows)} item(s)" + (f" in {where}" if self.is_library else "")
        self.query_one("#files-status", Static).update(f"{status} · team files: {used}")
        if not rows:
            self.query_one("#files-status", Static).update("No files yet: a attaches one.")

    def _current(self) -> Any | None:
        listing = self.query_one("#files-list", OptionList)
        if listing.highlighted is None or not listing.option_count:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return self.by_id.get(option.id or "")

    def _current_file(self) -> Any | None:
        rec = self._current()
        if rec is None or not hasattr(rec, "sha256"):
            self.notify("Choose a file first.", timeout=2)
            return None
        return rec

    # --- actions ----------------------------------------------------------------------------
    def action_attach(self) -> None:
        def check(text: str) -> str | None:
            try:
                files.check_file(self.book, text.strip())
            except files.ValidationErrors as exc:
                return "; ".join(e.message for e in exc.errors)
            return None

        def chosen(path: str | None) -> None:
            if path:
                self._attach_file(path.strip())

        self.app.push_screen(
            PromptScreen("Attach a file (path)", placeholder="~/scans/合同.pdf", validate=check),
            chosen,
        )

    @work(thread=True, group="files-write", exit_on_error=False)
    def _attach_file(self, path: str) -> None:
        folder = self.folder_path[-1][0] if self.folder_path and self.is_library else None
        try:
            att = files.attach(self.book, self.entity, self.record_id, Path(path), folder_id=folder)
        except (files.ValidationErrors, files.NotFound) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, f"Attached {att.name}.", timeout=3)
        self.app.call_from_thread(self.reload)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        rec = self.by_id.get(event.option.id or "")
        if rec is not None and not hasattr(rec, "sha256"):
            self.folder_path.append((rec.id, rec.name))
            self.reload()
        elif rec is not None:
            self._open(rec.id)

    def action_open(self) -> None:
        rec = self._current_file()
        if rec is not None:
            self._open(rec.id)

    @work(thread=True, group="files-open", exit_on_error=False)
    def _open(self, attachment_id: str) -> None:
        try:
            shown = files.show_in_viewer(self.book, attachment_id)
        except files.FileNotHere as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.app.call_from_thread(self.notify, f"Opened {shown.name}.", timeout=3)
        self.app.call_from_thread(self.reload)

    def action_save_copy(self) -> None:
        rec = self._current_file()
        if rec is None:
            return

        def chosen(dest: str | None) -> None:
            if dest:
                self._save(rec.id, dest.strip())

        self.app.push_screen(
            PromptScreen(f"Save a copy of {rec.name} to", initial=str(Path.home())), chosen
        )

    @work(thread=True, group="files-write", exit_on_error=False)
    def _save(self, attachment_id: str, dest: str) -> None:
        try:
            copy = files.save_copy(self.book, attachment_id, dest)
        except (files.ValidationErrors, files.FileNotHere) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, f"Saved {copy}.", timeout=4)

    def action_pin(self) -> None:
        rec = self._current_file()
        if rec is not None:
            self._pin(rec.id)

    @work(thread=True, group="files-write", exit_on_error=False)
    def _pin(self, attachment_id: str) -> None:
        book = self.book
        rec = files.find_file(book, attachment_id)
        on = not files.is_pinned(book, rec)
        files.pin(book, rec.id, on)
        note = "kept offline (fetched at the next sync)" if on else "no longer kept offline"
        self.app.call_from_thread(self.notify, f"{rec.name}: {note}.", timeout=3)
        self.app.call_from_thread(self.reload)

    def action_delete(self) -> None:
        rec = self._current_file()
        if rec is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(rec.id)

        self.app.push_screen(ConfirmScreen(f"Delete {rec.name}?"), confirmed)

    @work(thread=True, group="files-write", exit_on_error=False)
    def _delete(self, attachment_id: str) -> None:
        try:
            gone = files.delete_file(self.book, attachment_id)
        except (files.ValidationErrors, files.NotFound) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, f"Deleted {gone.name} (u undoes).", timeout=3)
        self.app.call_from_thread(self.reload)

    def action_new_folder(self) -> None:
        parent = self.folder_path[-1][0] if self.folder_path else None

        def make(name: str) -> str | None:  # refusals (a name taken) stay in the dialog
            if not name.strip():
                return "type the folder's name"
            try:
                files.new_folder(self.book, name, parent)
            except Exception as exc:  # noqa: BLE001 - shown in the dialog
                errors = getattr(exc, "errors", None)
                return "; ".join(e.message for e in errors) if errors else str(exc)
            return None

        def chosen(name: str | None) -> None:
            if name is not None:
                self.reload()

        self.app.push_screen(PromptScreen("New folder", validate=make), chosen)

    def action_up(self) -> None:
        if self.folder_path:
            self.folder_path.pop()
            self.reload()

    def action_back(self) -> None:
        if self.is_library and self.folder_path:
            self.action_up()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
