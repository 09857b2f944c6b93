"""Provides the field specs of knowledge Q&A (issue 17, 知识问答): articles (title, a
Markdown body, category, tags), questions, their answers (one accepted by the asker) and
votes on answers (one live vote per member and answer). All are team-wide; `domain/fields.py`
adds them to the one registry.
"""

from __future__ import annotations

from crm_tui.domain.field_values import EntitySpec
from crm_tui.domain.field_values import FieldSpec as F

KB_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        "kb_article",
        "kb_article",
        "title",
        (
            F("title", "text", required=True),
            F("body", "longtext", "Body (Markdown)", max_len=50_000),
            F("category", "text", max_len=60),
            F("tags", "tags"),
        ),
        plural="articles",
        aliases=("article", "kb", "knowledge"),
    ),
    EntitySpec(
        "kb_question",
        "kb_question",
        "title",
        (
            F("title", "text", "Question", required=True),
            F("body", "longtext", "Details", max_len=20_000),
            F("tags", "tags"),
            F("accepted_id", "ref", "Accepted answer", ref="kb_answer"),
        ),
        plural="questions",
        aliases=("question",),
    ),
    EntitySpec(
        "kb_answer",
        "kb_answer",
        "body",
        (
            F("question_id", "ref", "Question", required=True, ref="kb_question"),
            F("body", "longtext", "Answer", required=True, max_len=20_000),
        ),
        plural="answers",
        aliases=("answer",),
    ),
    EntitySpec(
        "kb_vote",
        "kb_vote",
        "answer_id",
        (F("answer_id", "ref", "Answer", required=True, ref="kb_answer"),),
        plural="votes",
        aliases=("vote",),
    ),
)
KB_ENTITY_NAMES = frozenset(spec.name for spec in KB_ENTITIES)


def why_not_accept(actor_id: str | None, asker_id: str | None, manager: bool) -> str | None:
    """The asker (or a manager) accepts an answer to a question."""
    if manager or asker_id in (None, actor_id):
        return None
    return "only the one who asked (or a manager) accepts an answer"
