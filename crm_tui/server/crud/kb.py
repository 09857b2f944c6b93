"""Provides the server's checks on knowledge Q&A (issue 17): only the asker (or a manager)
sets a question's accepted answer, and it must be one of that question's answers.
Called from write.merge_record; imports nothing of write.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from crm_tui.domain.kb_specs import why_not_accept
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.records import Row, actor_of
from crm_tui.server.models import Account, Record


def check_question_patch(
    account: Account,
    question: Row | Record,
    payload: dict[str, Any],
    lookup: Callable[[str], Row | Record | None],
) -> None:
    stored = json.loads(question.data)
    if "accepted_id" not in payload or payload["accepted_id"] == stored.get("accepted_id"):
        return
    actor = actor_of(account)
    reason = why_not_accept(actor.user_id, question.owner_id, actor.manager)
    if reason:
        raise Refused(f"accepted_id: {reason}")
    chosen = payload["accepted_id"]
    if chosen is None:
        return
    answer = lookup(chosen) if isinstance(chosen, str) else None
    question_id = json.loads(answer.data).get("question_id") if answer is not None else None
    if answer is None or answer.entity != "kb_answer" or question_id != question.id:
        raise Refused("accepted_id: that answer is not one of this question's")
