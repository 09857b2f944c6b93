"""Provides the knowledge Q&A repositories (issue 17): articles, questions, answers and
votes, each kept in the full-text index (the CJK-aware one customers use: 2-character
Chinese words hit), and `KbRepositories`.

Accepting an answer is the asker's (or a manager's) step; a member votes once per answer
and never for their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.kb_specs import why_not_accept
from crm_tui.domain.models import KbAnswer, KbArticle, KbQuestion, KbVote
from crm_tui.domain.permissions import is_manager
from crm_tui.domain.search_text import index_text, match_expression
from crm_tui.storage.repository import Repository, live

if TYPE_CHECKING:
    from crm_tui.storage.store import Store


def _refuse(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def _index(s: Session, entity: str, row_id: str, body: str | None) -> None:
    """Replace a record's search document (None removes it): the same tables and steps as
    repositories._index, which this module cannot import (that module builds this one)."""
    cur = s.connection().connection.driver_connection.cursor()
    row = cur.execute("SELECT docid FROM search_doc WHERE row_id = ?", (row_id,)).fetchone()
    if row is not None:
        cur.execute("DELETE FROM search_fts WHERE rowid = ?", (row[0],))
        cur.execute("DELETE FROM search_doc WHERE docid = ?", (row[0],))
    if body is None:
        return
    cur.execute("INSERT INTO search_doc(entity, row_id) VALUES (?, ?)", (entity, row_id))
    cur.execute("INSERT INTO search_fts(rowid, body) VALUES (?, ?)", (cur.lastrowid, body))


def _tags(value: str | None) -> str:
    return (value or "").replace(",", " ")


class _Indexed:
    """after_write keeps the record's search document in step (removed when deleted), for
    pulled rows too (storage/pull_store.py asks `index_pulled`)."""

    entity: str
    index_pulled = True

    def parts(self, rec: Any) -> list[str | None]:
        raise NotImplementedError

    def after_write(self, s: Session, rec: Any, changed: set[str]) -> None:
        _index(s, self.entity, rec.id, None if rec.deleted else index_text(self.parts(rec)))


def search_ids(s: Session, entity: str, query: str, limit: int) -> list[str]:
    expr = match_expression(query)
    if expr is None:
        return []
    rows = s.connection().exec_driver_sql(
        "SELECT d.row_id FROM search_fts JOIN search_doc d ON d.docid = search_fts.rowid "
        "WHERE search_fts MATCH ? AND d.entity = ? LIMIT ?",
        (expr, entity, int(limit)),
    )
    return [r[0] for r in rows]


class KbArticleRepo(_Indexed, Repository[KbArticle]):
    entity = "kb_article"
    default_order = ("title", "id")

    def parts(self, rec: KbArticle) -> list[str | None]:
        return [rec.title, rec.category, _tags(rec.tags), rec.body]

    def search(self, query: str, limit: int = 50) -> list[KbArticle]:
        with self.db.reading() as s:
            ids = search_ids(s, self.entity, query, limit * 4)
            if not ids:
                return []
            found = select(KbArticle).where(col(KbArticle.id).in_(ids), live(KbArticle))
            return list(s.exec(found.order_by(KbArticle.title).limit(limit)))

    def titled(self, text: str, limit: int = 20) -> list[KbArticle]:
        """Articles whose title contains `text` (the palette's lookup), by title."""
        where = [col(KbArticle.title).contains(text, autoescape=True)] if text else []
        return self.page(where=where, limit=limit)

    def categories(self) -> list[tuple[str, int]]:
        with self.db.reading() as s:
            rows = s.exec(
                select(KbArticle.category, func.count())
                .where(live(KbArticle))
                .group_by(KbArticle.category)
                .order_by(KbArticle.category)
            )
            return [(c or "", int(n)) for c, n in rows]


class KbQuestionRepo(_Indexed, Repository[KbQuestion]):
    entity = "kb_question"
    default_order = ("created_at", "id")

    def parts(self, rec: KbQuestion) -> list[str | None]:
        return [rec.title, _tags(rec.tags), rec.body]

    def before_create(self, s: Session, rec: KbQuestion, values: dict[str, Any]) -> None:
        if rec.accepted_id:
            raise _refuse("accepted_id", "a new question has no accepted answer yet")

    def before_update(self, s: Session, rec: KbQuestion, changes: dict[str, Any]) -> None:
        if "accepted_id" not in changes or changes["accepted_id"] == rec.accepted_id:
            return
        reason = why_not_accept(self.db.user_id, rec.owner_id, is_manager(self.db.role))
        if reason:
            raise _refuse("accepted_id", reason)
        answer = s.get(KbAnswer, changes["accepted_id"]) if changes["accepted_id"] else None
        if changes["accepted_id"] and (answer is None or answer.question_id != rec.id):
            raise _refuse("accepted_id", "that answer is not one of this question's")

    def recent(self, limit: int = 200) -> list[KbQuestion]:
        return self.page(order_by=[col(KbQuestion.created_at).desc(), KbQuestion.id], limit=limit)

    def search(self, query: str, limit: int = 50) -> list[KbQuestion]:
        """Questions whose own text, or one of whose answers, matches."""
        with self.db.reading() as s:
            ids = set(search_ids(s, self.entity, query, limit * 4))
            answer_ids = search_ids(s, "kb_answer", query, limit * 4)
            if answer_ids:
                ids |= set(
                    s.exec(select(KbAnswer.question_id).where(col(KbAnswer.id).in_(answer_ids)))
                )
            if not ids:
                return []
            found = select(KbQuestion).where(col(KbQuestion.id).in_(ids), live(KbQuestion))
            return list(s.exec(found.order_by(col(KbQuestion.created_at).desc()).limit(limit)))


class KbAnswerRepo(_Indexed, Repository[KbAnswer]):
    entity = "kb_answer"
    default_order = ("question_id", "created_at")

    def parts(self, rec: KbAnswer) -> list[str | None]:
        return [rec.body]

    def before_update(self, s: Session, rec: KbAnswer, changes: dict[str, Any]) -> None:
        if "question_id" in changes and changes["question_id"] != rec.question_id:
            raise _refuse("question_id", "an answer stays with its question")

    def of_question(self, question_id: str) -> list[KbAnswer]:
        return self.page(
            where=[KbAnswer.question_id == question_id],
            order_by=[KbAnswer.created_at, KbAnswer.id],
            limit=1000,
        )


class KbVoteRepo(Repository[KbVote]):
    entity = "kb_vote"
    default_order = ("answer_id", "id")

    def before_create(self, s: Session, rec: KbVote, values: dict[str, Any]) -> None:
        answer = s.get(KbAnswer, rec.answer_id)
        if answer is not None and answer.owner_id == rec.owner_id:
            raise _refuse("answer_id", "you cannot vote for your own answer")
        if self.mine(s, rec.answer_id) is not None:
            raise _refuse("answer_id", "you have voted for this answer already")

    def mine(self, s: Session, answer_id: str) -> KbVote | None:
        query = select(KbVote).where(
            KbVote.answer_id == answer_id, KbVote.owner_id == self.db.user_id, live(KbVote)
        )
        return s.exec(query.limit(1)).first()

    def my_vote(self, answer_id: str) -> KbVote | None:
        with self.db.reading() as s:
            return self.mine(s, answer_id)

    def counts(self, answer_ids: list[str]) -> dict[str, int]:
        """Votes per answer, each member counted once (two laptops of one member may both
        have voted while offline)."""
        if not answer_ids:
            return {}
        with self.db.reading() as s:
            rows = s.exec(
                select(
                    KbVote.answer_id, func.count(func.distinct(func.coalesce(KbVote.owner_id, "")))
                )
                .where(col(KbVote.answer_id).in_(answer_ids), live(KbVote))
                .group_by(KbVote.answer_id)
            )
            return {a: int(n) for a, n in rows}


class KbRepositories:
    """The knowledge Q&A repositories of one database, by role and by entity name."""

    def __init__(self, db: Store, repos: Any = None) -> None:
        self.articles = KbArticleRepo(db, repos)
        self.questions = KbQuestionRepo(db, repos)
        self.answers = KbAnswerRepo(db, repos)
        self.votes = KbVoteRepo(db, repos)
        self.by_entity: dict[str, Repository[Any]] = {
            repo.entity: repo for repo in (self.articles, self.questions, self.answers, self.votes)
        }
