"""Provides the work report's two dialogs (issue 17): `ReportFormScreen`, writing the
rep's report of a kind and period (what was done, the plan, problems) above its figures
block, saved as a draft (ctrl+s) or submitted (ctrl+t, the figures frozen then); and
`ReportReadScreen`, a report with its figures, who has read it and its threaded comments
(`c` comments, `r` replies to the newest comment; reading it sends the read receipt).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from crm_tui.domain.work_report_specs import KIND_WORDS, SECTIONS, load_figures
from crm_tui.screens.pickers import PromptScreen
from crm_tui.services import contact_log, work_reports
from crm_tui.services.book import Book
from crm_tui.widgets.deliver import deliver

FINAL = "This report is submitted; its text and figures are final (read-only)."


class ReportFormScreen(ModalScreen[Any]):
    """Write the rep's report; dismisses with the saved report (None when closed)."""

    CSS_PATH = "office.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save draft", id="report_form.save"),
        Binding("ctrl+t", "submit", "Submit", id="report_form.submit"),
        Binding("escape", "cancel", "Close", id="report_form.close"),
    ]

    def __init__(self, book: Book, kind: str = "daily", period: str | None = None) -> None:
        super().__init__()
        self.book, self.kind, self.period_text = book, kind, period
        self.period = work_reports.period(book, kind, period)  # the clock's, no database
        self.submitted = False  # set when the period's report turns out submitted: read-only

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="report-form"):
            yield Static(
                f"{KIND_WORDS[self.kind]} {self.period.label}",
                id="report-title",
                classes="report-title",
            )
            yield Static("Figures: counting…", id="report-figures")
            for key, label in SECTIONS:
                yield Static(label, classes="report-label")
                yield TextArea("", id=f"report-{key}", soft_wrap=True)
            yield Static("", id="report-error")
            yield Static(
                "ctrl+s: save draft   ctrl+t: submit (figures frozen)   escape: close",
                id="report-keys",
                classes="report-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#report-done", TextArea).focus()
        self._count()

    @work(thread=True, exclusive=True, group="report-figures", exit_on_error=False)
    def _count(self) -> None:
        existing = work_reports.mine_for(self.book, self.kind, self.period.label)
        if existing is not None and existing.status == "submitted":
            figures = load_figures(existing.figures)  # frozen at submit, never recounted
        else:
            figures = work_reports.figures_for(self.book, self.book.user_id, self.period)
        lines = work_reports.figure_text(self.book, figures)
        deliver(self.app, self._show_figures, lines, existing)

    def _show_figures(self, lines: list[str], existing: Any) -> None:
        self.submitted = existing is not None and existing.status == "submitted"
        if existing is not None:  # the draft so far (typing before it came is kept)
            for key, _ in SECTIONS:
                area = self.query_one(f"#report-{key}", TextArea)
                if self.submitted or not area.text:
                    area.text = getattr(existing, key, None) or ""
                area.read_only = self.submitted
        if self.submitted:
            self.query_one("#report-error", Static).update(FINAL)
            title = f"{KIND_WORDS[self.kind]} {self.period.label} — submitted, read-only"
            self.query_one("#report-title", Static).update(title)
            self.query_one("#report-keys", Static).update("escape: close")
            self.refresh_bindings()
        text = "   ".join(lines) if lines else "no figures for this period yet"
        title = "Figures (frozen at submit)" if self.submitted else "Figures"
        self.query_one("#report-figures", Static).update(f"{title}: {escape(text)}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A submitted report offers no save/submit (the footer hides them).
        return not (self.submitted and action in ("save", "submit"))

    def _texts(self) -> dict[str, str]:
        return {key: self.query_one(f"#report-{key}", TextArea).text for key, _ in SECTIONS}

    def _write(self, submit: bool) -> Any:
        try:
            rec = work_reports.draft(self.book, self.kind, self.period.label, **self._texts())
            if submit:
                rec = work_reports.submit(self.book, rec.id)
        except Exception as exc:  # noqa: BLE001 - the refusal is shown in the form
            self.query_one("#report-error", Static).update(escape(contact_log.refusal(exc)))
            return None
        return rec

    def action_save(self) -> None:
        if self.submitted:
            return
        rec = self._write(submit=False)
        if rec is not None:
            self.notify(f"Draft saved: {rec.kind} {rec.period}.", timeout=2)
            self.dismiss(rec)

    def action_submit(self) -> None:
        if self.submitted:
            return
        rec = self._write(submit=True)
        if rec is not None:
            self.notify(f"Submitted: {rec.kind} {rec.period}.", timeout=3)
            self.dismiss(rec)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReportReadScreen(ModalScreen[None]):
    """A report to read, with its comments; a recipient's reading sends a read receipt."""

    CSS_PATH = "office.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "comment", "Comment", id="report_read.comment"),
        Binding("r", "reply", "Reply", id="report_read.reply", tooltip="Reply to the newest"),
        Binding("escape", "close", "Back", id="report_read.back"),
    ]

    def __init__(self, book: Book, report_id: str) -> None:
        super().__init__()
        self.book, self.report_id = book, report_id
        self.view: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="report-read"):
            yield Static("Opening…", id="report-head", classes="report-title")
            with VerticalScroll(id="report-body"):
                yield Static("", id="report-text")
            yield Static("c: comment   r: reply   escape: back", classes="report-keys")

    def on_mount(self) -> None:
        self._load(first=True)

    @work(thread=True, exclusive=True, group="report-read", exit_on_error=False)
    def _load(self, first: bool = False) -> None:
        # The first look is a reading (its receipt is written); later ones only re-read.
        get = work_reports.read if first else work_reports.view
        found = get(self.book, self.report_id)
        deliver(self.app, self._show, found)

    def _show(self, view: Any) -> None:
        self.view = view
        rec = view.report
        head = f"{KIND_WORDS.get(rec.kind, rec.kind)} {rec.period} — {view.author} ({rec.status})"
        self.query_one("#report-head", Static).update(escape(head))
        self.query_one("#report-text", Static).update(render_report(view))

    def _comment(self, reply_to: str | None, title: str) -> None:
        book, report_id = self.book, self.report_id

        def validate(text: str) -> str | None:
            try:
                work_reports.comment(book, report_id, text, reply_to)
            except Exception as exc:  # noqa: BLE001 - shown in the dialog
                return contact_log.refusal(exc)
            return None

        def closed(result: str | None) -> None:
            if result is not None:
                self._load()

        self.app.push_screen(PromptScreen(title, "", "your comment", validate), closed)

    def action_comment(self) -> None:
        self._comment(None, "Comment on this report")

    def action_reply(self) -> None:
        comments = self.view.comments if self.view is not None else []
        theirs = [c for c in comments if not c.mine] or comments
        if not theirs:
            self.notify("No comment to reply to yet: c comments.", timeout=3)
            return
        newest = max(theirs, key=lambda c: c.at)
        self._comment(newest.id, f"Reply to {newest.author}: {newest.body[:40]}")

    def action_close(self) -> None:
        self.dismiss(None)


def render_report(view: Any) -> str:
    """The report as markup: recipients, its three parts, figures, readers, comments."""
    rec = view.report
    lines = []
    if view.recipients:
        lines.append(f"[$text-muted]to {escape(', '.join(view.recipients))}[/]")
    for key, label in SECTIONS:
        lines += ["", f"[b]{label}[/b]", escape(getattr(rec, key) or "—")]
    title = "Figures (frozen at submit)" if view.frozen else "Figures (so far)"
    lines += ["", f"[b]{title}[/b]", *(f"  {escape(x)}" for x in view.figures)]
    if view.read_by:
        seen = ", ".join(f"{name} {at:%m-%d %H:%M}" for name, at in view.read_by)
        lines += ["", f"[$text-muted]Read by {escape(seen)}[/]"]
    lines += ["", f"[b]Comments ({len(view.comments)})[/b]"]
    for c in view.comments:
        pad = "    " * c.depth
        lines.append(f"{pad}[$accent]{escape(c.author)}[/] [$text-muted]{c.at:%m-%d %H:%M}[/]")
        lines.append(f"{pad}  {escape(c.body)}")
    return "\n".join(lines)
