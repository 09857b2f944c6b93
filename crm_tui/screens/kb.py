"""Provides the knowledge screens (issue 17, 知识问答): `KnowledgeScreen` (articles on the
lazy table with the `/` bar; `n` writes one, `enter` reads it, `e` edits, `a` goes to the
questions), `ArticleView` (the Markdown rendered), `QuestionsScreen` (`n` asks, `enter`
opens a question) and `QuestionView` (the question and its answers, accepted first, then by
votes; `a` answers, `v` votes for the highlighted answer, `x` accepts it).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.screens.base import CrmScreen, ListScreen
from crm_tui.screens.files import FilesScreen
from crm_tui.screens.forms import RecordForm
from crm_tui.services import files, kb
from crm_tui.services.book import Book
from crm_tui.widgets.query_bar import QueryBar
from crm_tui.widgets.record_table import Column, RecordTable

ARTICLE_FIELDS = ["title", "category", "tags", "body"]
QUESTION_FIELDS = ["title", "body", "tags"]


def _stamp(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d") if value else ""


class KnowledgeScreen(ListScreen):
    """Articles by title; the bar filters by any word of them (中文 too)."""

    entity = "kb_article"
    noun = "articles"
    undo_entity = "kb_article"
    CSS_PATH = "office_files.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "Write", id="kb.new", tooltip="Write an article (Markdown)"),
        Binding("e", "edit", "Edit", id="kb.edit", tooltip="Edit this article"),
        Binding("a", "questions", "Q&A", id="kb.questions", tooltip="Questions and answers"),
        Binding("slash", "focus_query", "Filter", id="kb.filter"),
        Binding("escape", "back", "Back", id="kb.back"),
    ]

    def columns(self) -> list[Column]:
        return [
            Column("title", "Article", 0),
            Column("category", "Category", 12),
            Column("tags", "Tags", 16),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("Knowledge base · a: questions and answers", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: any word, 中文 too"

    def action_new(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                "kb_article",
                title="New article",
                fields=ARTICLE_FIELDS,
                save=lambda values: kb.repos(book).articles.create(values),
                book=book,
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        row = self.table.current_row
        if row is None:
            return
        book = self.book
        record = kb.find_article(book, str(row["id"]))
        self.app.push_screen(
            RecordForm(
                "kb_article",
                title=f"Article: {record.title}",
                initial=record.model_dump(),
                fields=ARTICLE_FIELDS,
                save=lambda changes: kb.edit_article(book, record.id, changes),
                book=book,
            ),
            self._saved,
        )

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Saved {record.title}.", timeout=3)
            self.reload()

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.app.push_screen(ArticleView(self.book, event.row_id))

    def action_questions(self) -> None:
        self.app.push_screen(QuestionsScreen(self.book))

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class ArticleView(ModalScreen[None]):
    """One article, its Markdown rendered; escape closes."""

    CSS_PATH = "office_files.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close"),
        Binding("f", "files", "Files", tooltip="The article's images and files"),
    ]

    def __init__(self, book: Book, article_id: str) -> None:
        super().__init__()
        self.book = book
        self.article_id = article_id

    def compose(self) -> ComposeResult:
        with Vertical(id="article"):
            yield Static("", id="article-title")
            yield VerticalScroll(id="article-body")
            yield Static("", id="article-files")
            yield Static("escape: close   f: files   ↑↓ pgup pgdn: scroll", id="article-keys")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        art = kb.find_article(self.book, self.article_id)
        names = [f.name for f in files.files_of(self.book, "kb_article", art.id)]
        self.app.call_from_thread(self._show, art, names)

    def action_files(self) -> None:
        self.app.push_screen(
            FilesScreen(self.book, "kb_article", self.article_id, title="Article files")
        )

    def _show(self, art: Any, names: list[str]) -> None:
        if names:
            self.query_one("#article-files", Static).update("Files: " + ", ".join(names))
        from textual.widgets import Markdown  # markdown-it costs start-up time: load late

        head = Text.assemble((art.title, "bold"), f"   {art.category or ''}  {art.tags or ''}")
        self.query_one("#article-title", Static).update(head)
        body = self.query_one("#article-body", VerticalScroll)
        body.mount(Markdown(art.body or "_(no text)_", id="article-markdown"))
        body.focus()


class QuestionsScreen(ListScreen):
    """Questions, newest first; the bar filters them."""

    entity = "kb_question"
    noun = "questions"
    undo_entity = "kb_question"
    CSS_PATH = "office_files.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "Ask", id="questions.new", tooltip="Ask the team a question"),
        Binding("slash", "focus_query", "Filter", id="questions.filter"),
        Binding("escape", "back", "Back", id="questions.back"),
    ]

    def columns(self) -> list[Column]:
        return [
            Column("title", "Question", 0),
            Column(
                "accepted_id",
                "Answered",
                9,
                "left",
                lambda row: "✓" if row.get("accepted_id") else "",
            ),
        ]

    def compose_top(self) -> ComposeResult:
        yield Static("Questions and answers (问答)", classes="section-summary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#query", QueryBar).placeholder = "/ filter: any word, 中文 too"

    def action_new(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                "kb_question",
                title="Ask the team",
                fields=QUESTION_FIELDS,
                save=lambda values: kb.repos(book).questions.create(values),
                book=book,
            ),
            self._asked,
        )

    def _asked(self, record: Any) -> None:
        if record is not None:
            self.reload()
            self.app.push_screen(QuestionView(self.book, record.id))

    def on_record_table_row_selected(self, event: RecordTable.RowSelected) -> None:
        self.app.push_screen(QuestionView(self.book, event.row_id))

    def action_back(self) -> None:
        if self.focused is not self.table:
            self.table.focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class QuestionView(CrmScreen):
    """A question with its answers; keys act on the highlighted answer."""

    CSS_PATH = "office_files.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "answer", "Answer", id="question.answer", tooltip="Write an answer"),
        Binding("v", "vote", "Vote", id="question.vote", tooltip="Vote for this answer"),
        Binding("x", "accept", "Accept", id="question.accept", tooltip="Accept this answer"),
        Binding("escape", "back", "Back", id="question.back"),
    ]

    def __init__(self, book: Book, question_id: str) -> None:
        super().__init__(book)
        self.question_id = question_id
        self.answer_ids: list[str] = []

    def compose_body(self) -> ComposeResult:
        yield Static("", id="question-title", classes="section-summary")
        yield Static("", id="question-body")
        yield OptionList(id="answers")

    def on_mount(self) -> None:
        self.query_one("#answers", OptionList).focus()
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="question-load", exit_on_error=False)
    def _load(self) -> None:
        self.app.call_from_thread(self._show, kb.thread(self.book, self.question_id))

    def _show(self, thread: kb.Thread) -> None:
        q = thread.question
        self.query_one("#question-title", Static).update(
            Text.assemble(
                ("Q: ", "bold"), (q.title, "bold"), f"   {thread.asker}, {_stamp(q.created_at)}"
            )
        )
        self.query_one("#question-body", Static).update(q.body or "")
        listing = self.query_one("#answers", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        self.answer_ids = [a.id for a in thread.answers]
        for a in thread.answers:
            head = Text.assemble(
                ("✓ accepted  " if a.accepted else "", "bold green"),
                (f"▲{a.votes}", "bold" if a.voted else ""),
                f"  {a.author} · {_stamp(a.at)}\n",
            )
            listing.add_option(Option(head + Text(a.body + "\n"), id=a.id))
        if not thread.answers:
            listing.add_option(Option(Text("No answers yet: a writes one.", style="dim")))
        if self.answer_ids:
            listing.highlighted = min(highlighted or 0, len(self.answer_ids) - 1)

    def _current(self) -> str | None:
        listing = self.query_one("#answers", OptionList)
        if listing.highlighted is None or not self.answer_ids:
            self.notify("No answer chosen.", timeout=2)
            return None
        return self.answer_ids[min(listing.highlighted, len(self.answer_ids) - 1)]

    def action_answer(self) -> None:
        book = self.book
        self.app.push_screen(
            RecordForm(
                "kb_answer",
                title="Your answer",
                fields=["body"],
                save=lambda values: kb.answer(book, self.question_id, values.get("body", "")),
                book=book,
            ),
            lambda made: self.reload() if made is not None else None,
        )

    def action_vote(self) -> None:
        answer_id = self._current()
        if answer_id is not None:
            self._step(kb.vote, answer_id, "Voted.")

    def action_accept(self) -> None:
        answer_id = self._current()
        if answer_id is not None:
            self._step(kb.accept, answer_id, "Accepted.")

    @work(thread=True, group="question-write", exit_on_error=False)
    def _step(self, step: Any, answer_id: str, done: str) -> None:
        try:
            step(self.book, answer_id)
        except kb.ValidationErrors as exc:
            message = "; ".join(e.message for e in exc.errors)
            self.app.call_from_thread(self.notify, message, severity="warning")
            return
        self.app.call_from_thread(self.notify, done, timeout=2)
        self.app.call_from_thread(self.reload)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
