"""Provides knowledge Q&A (issue 17, 知识问答) for screens and the CLI: articles written by
anyone (title, Markdown body, category, tags), questions, answers, the asker's accepted
answer and votes; full-text search through the CJK-aware index (2-character Chinese words
hit); the palette's article lookup by title.

Functions take a `Book` first and return detached domain records or plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.services.sales_repos import db_of

__all__ = [
    "AnswerRow",
    "Hits",
    "Thread",
    "ValidationErrors",
    "accept",
    "answer",
    "article_titles",
    "articles",
    "ask",
    "categories",
    "edit_article",
    "find_answer",
    "find_article",
    "find_question",
    "questions",
    "repos",
    "search",
    "thread",
    "unvote",
    "vote",
    "write_article",
]

if TYPE_CHECKING:
    from crm_tui.domain.models import KbAnswer, KbArticle, KbQuestion, KbVote
    from crm_tui.services.book import Book
    from crm_tui.storage.repos_kb import KbRepositories


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def repos(book: Book) -> KbRepositories:
    return db_of(book).repos.kb


def _names(book: Book) -> dict[str, str]:
    return {uid: name for name, uid in db_of(book).repos.users.members().items()}


# --- articles -----------------------------------------------------------------------------
def write_article(
    book: Book,
    title: str,
    body: str = "",
    *,
    category: str | None = None,
    tags: str | None = None,
) -> KbArticle:
    values = {"title": title, "body": body, "category": category, "tags": tags}
    return repos(book).articles.create({k: v for k, v in values.items() if v is not None})


def edit_article(book: Book, ref: str, changes: dict[str, Any]) -> KbArticle:
    return repos(book).articles.update(find_article(book, ref).id, changes)


def find_article(book: Book, ref: str) -> KbArticle:
    """By id, unique id prefix or exact title."""
    return repos(book).articles.resolve(ref)


def articles(book: Book, category: str | None = None, limit: int = 200) -> list[KbArticle]:
    from crm_tui.domain.models import KbArticle

    where = [KbArticle.category == category] if category else []
    return repos(book).articles.page(where=where, limit=limit)


def categories(book: Book) -> list[tuple[str, int]]:
    return repos(book).articles.categories()


def article_titles(book: Book, text: str = "", limit: int = 20) -> list[tuple[str, str]]:
    """(id, title) of articles whose title contains `text`: the palette's lookup."""
    return [(a.id, a.title) for a in repos(book).articles.titled(text.strip(), limit)]


# --- questions and answers ------------------------------------------------------------------
def ask(book: Book, title: str, body: str = "", *, tags: str | None = None) -> KbQuestion:
    values = {"title": title, "body": body} | ({"tags": tags} if tags else {})
    return repos(book).questions.create(values)


def find_question(book: Book, ref: str) -> KbQuestion:
    return repos(book).questions.resolve(ref)


def questions(book: Book, limit: int = 200) -> list[KbQuestion]:
    """The newest questions first."""
    return repos(book).questions.recent(limit)


def answer(book: Book, question_ref: str, body: str) -> KbAnswer:
    question = find_question(book, question_ref)
    return repos(book).answers.create({"question_id": question.id, "body": body})


def find_answer(book: Book, ref: str) -> KbAnswer:
    return repos(book).answers.resolve(ref)


def accept(book: Book, answer_ref: str) -> KbQuestion:
    """The asker (or a manager) marks an answer as the accepted one."""
    found = find_answer(book, answer_ref)
    return repos(book).questions.update(found.question_id, {"accepted_id": found.id})


def vote(book: Book, answer_ref: str) -> KbVote:
    found = find_answer(book, answer_ref)
    return repos(book).votes.create({"answer_id": found.id})


def unvote(book: Book, answer_ref: str) -> bool:
    found = find_answer(book, answer_ref)
    mine = repos(book).votes.my_vote(found.id)
    if mine is None:
        return False
    repos(book).votes.delete(mine.id)
    return True


@dataclass(frozen=True)
class AnswerRow:
    id: str
    body: str
    author: str
    at: datetime
    votes: int
    accepted: bool
    voted: bool  # by me
    mine: bool


@dataclass(frozen=True)
class Thread:
    question: KbQuestion
    asker: str
    answers: list[AnswerRow]  # accepted first, then by votes, then oldest first


def thread(book: Book, question_ref: str) -> Thread:
    r = repos(book)
    question = find_question(book, question_ref)
    found = r.answers.of_question(question.id)
    counts = r.votes.counts([a.id for a in found])
    names = _names(book)
    me = book.user_id
    rows = [
        AnswerRow(
            id=a.id,
            body=a.body,
            author=names.get(a.owner_id or "", "me" if a.owner_id in (None, me) else "?"),
            at=a.created_at,
            votes=counts.get(a.id, 0),
            accepted=a.id == question.accepted_id,
            voted=r.votes.my_vote(a.id) is not None,
            mine=a.owner_id in (None, me),
        )
        for a in found
    ]
    rows.sort(key=lambda row: (not row.accepted, -row.votes, row.at))
    asker = names.get(question.owner_id or "", "me")
    return Thread(question, asker, rows)


# --- search -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hits:
    articles: list[KbArticle]
    questions: list[KbQuestion]

    def __bool__(self) -> bool:
        return bool(self.articles or self.questions)


def search(book: Book, words: str, limit: int = 50) -> Hits:
    """Articles and questions (or their answers) matching every word; Chinese runs are
    searched as substrings (2-character words hit)."""
    if not words.strip():
        raise _error("words", "say what to look for")
    r = repos(book)
    return Hits(r.articles.search(words, limit), r.questions.search(words, limit))
