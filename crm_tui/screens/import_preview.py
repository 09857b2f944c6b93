"""Provides `ImportScreen`: bring in a CSV or vCard file after seeing what would happen.

The rep names a file and what it holds; the screen shows how the file was read (encoding,
delimiter, which column became which field, what is ignored), the first rows as they would
be imported, and the counts of a full dry run (new, duplicates, refused with reasons).
ctrl+s then imports the whole file in one transaction; refused rows go to a report file
beside it. File work runs in thread workers; widgets change only on the main thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Select, Static
from textual.worker import Worker, WorkerState

from crm_tui.services import transfer
from crm_tui.services.transfer import ImportDone, ImportPreview

if TYPE_CHECKING:
    from crm_tui.services.book import Book
    from crm_tui.services.transfer import ImportResult

ENTITIES = [
    ("Customers", "customer"),
    ("Contacts", "contact"),
    ("Follow-ups", "activity"),
    ("Deals", "opportunity"),
]
POLICIES = [
    ("Skip duplicates", "skip"),
    ("Merge into existing", "merge"),
    ("Import duplicates too", "create"),
]
_PREVIEW_ROWS = transfer.PREVIEW_ROWS


def _describe(results: list[ImportResult]) -> str:
    lines = [r.summary() for r in results]
    problems = sorted((p for r in results for p in r.rejected + r.duplicates), key=lambda p: p.line)
    lines += [f"  line {p.line}: {p.reason}" for p in problems[:8]]
    if len(problems) > 8:
        lines.append(f"  … and {len(problems) - 8} more (all in the report file)")
    return "\n".join(lines)


class ImportScreen(ModalScreen[None]):
    """Import a CSV or vCard file with a preview and a dry run first."""

    CSS_PATH: ClassVar[str] = "import_preview.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "import_file",
            "Import",
            id="import-file",
            tooltip="Import the whole file (one transaction)",
        ),
        Binding("escape", "close", "Close", id="import-close"),
    ]

    def __init__(self, book: Book, path: str | None = None) -> None:
        super().__init__()
        self.book = book
        self.initial_path = path or ""
        self.previewed: Path | None = None
        self.ready = False

    def compose(self) -> ComposeResult:
        with Vertical(id="import") as box:
            box.border_title = "Import a file"
            box.border_subtitle = "enter preview · ctrl+s import · escape close"
            yield Input(
                self.initial_path, placeholder="path to a .csv or .vcf file", id="import-path"
            )
            with Horizontal(id="import-options"):
                yield Select(ENTITIES, value="customer", allow_blank=False, id="import-entity")
                yield Select(POLICIES, value="skip", allow_blank=False, id="import-policy")
            yield Static("", id="import-plan")
            yield DataTable(id="import-rows", zebra_stripes=True, cursor_type="row")
            yield Static("", id="import-summary")

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()
        if self.initial_path:
            self.preview()

    # --- preview -----------------------------------------------------------------------------
    @on(Input.Submitted, "#import-path")
    @on(Select.Changed)
    def preview(self) -> None:
        raw = self.query_one("#import-path", Input).value.strip()
        if not raw:
            return
        self.ready = False
        self.query_one("#import-summary", Static).update("Reading the file…")
        self._preview(Path(raw).expanduser(), self._entity(), self._policy())

    def _entity(self) -> str:
        return str(self.query_one("#import-entity", Select).value)

    def _policy(self) -> str:
        return str(self.query_one("#import-policy", Select).value)

    @work(thread=True, exclusive=True, group="import-preview", exit_on_error=False)
    def _preview(self, path: Path, entity: str, policy: str) -> ImportPreview:
        return transfer.preview_file(self.book, path, entity, policy, rows=_PREVIEW_ROWS)

    def _show_preview(self, found: ImportPreview) -> None:
        self.query_one("#import-plan", Static).update(found.notes)
        table = self.query_one("#import-rows", DataTable)
        table.clear(columns=True)
        if found.headers:
            table.add_columns("line", *found.headers)
            for line, values, refused in found.rows:
                if values is None:
                    table.add_row(
                        str(line), f"refused: {refused}", *[""] * (len(found.headers) - 1)
                    )
                else:
                    table.add_row(str(line), *(values.get(h, "") for h in found.headers))
        self.query_one("#import-summary", Static).update(
            _describe(found.results) + "\nctrl+s imports the whole file."
        )
        self.previewed = found.path
        self.ready = True

    # --- import ------------------------------------------------------------------------------
    def action_import_file(self) -> None:
        if not self.ready or self.previewed is None:
            self.notify("Preview the file first (enter in the path box).", severity="warning")
            return
        self.ready = False
        self.query_one("#import-summary", Static).update("Importing…")
        self._import(self.previewed, self._entity(), self._policy())

    @work(thread=True, exclusive=True, group="import-run", exit_on_error=False)
    def _import(self, path: Path, entity: str, policy: str) -> ImportDone:
        return transfer.import_file(self.book, path, entity, policy)

    def _show_import(self, done: ImportDone) -> None:
        text = _describe(done.results)
        if done.report is not None:
            text += f"\nRefused and duplicate rows, with reasons: {done.report}"
        self.query_one("#import-summary", Static).update(text)
        self.notify(done.results[0].summary(), title="Import finished")
        self.previewed = None

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if group not in ("import-preview", "import-run"):
            return
        if event.state is WorkerState.SUCCESS:
            if group == "import-preview":
                self._show_preview(event.worker.result)
            else:
                self._show_import(event.worker.result)
        elif event.state is WorkerState.ERROR:
            self.ready = False
            message = str(event.worker.error)
            self.query_one("#import-summary", Static).update(f"Cannot import: {message}")
            self.notify(message, severity="error", timeout=10)

    def action_close(self) -> None:
        self.dismiss(None)
