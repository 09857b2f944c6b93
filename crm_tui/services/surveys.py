"""Provides taking a satisfaction survey (issue 22): the score, and for a low one a follow-up
for the customer's owner, in ONE transaction; and a customer's scores with their trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm_tui.domain.churn import trend
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.permissions import may_choose_owner
from crm_tui.domain.survey_specs import LOW_SCORE, SCORE_WORDS, SurveySource, score_error

if TYPE_CHECKING:
    from crm_tui.domain.models import Activity, Survey
    from crm_tui.services.book import Book

__all__ = ["LOW_SCORE", "SCORE_WORDS", "SurveySource", "Taken", "parse_score", "scores", "take"]


CALL_BACK = ": call back"  # ends a low score's follow-up subject


@dataclass(frozen=True)
class Taken:
    survey: Survey
    follow_up: Activity | None  # made for a low score (or the one still open)
    reused: bool = False  # the follow-up was already open: no second one was made


def parse_score(text: str | int) -> int:
    """A typed score (1..5), or ValidationErrors naming `score`."""
    try:
        value = int(str(text).strip())
    except ValueError:
        value = None  # type: ignore[assignment]
    problem = score_error(value)
    if problem:
        raise ValidationErrors([FieldError("score", f"'{text}' {problem}")])
    return value


def take(
    book: Book,
    customer: str,
    score: str | int,
    *,
    comment: str | None = None,
    source: str = SurveySource.CALL.value,
    contact_id: str | None = None,
    activity_id: str | None = None,
    opportunity_id: str | None = None,
    service_id: str | None = None,
) -> Taken:
    """Record a score for `customer` (id, prefix or name); a score of 2 or less also makes
    a call-back follow-up due tomorrow with the comment in its notes — all or nothing. The
    call-back is the customer owner's when a manager takes the survey (else the taker's)."""
    value = parse_score(score)
    repos = book.db.repos
    cust = repos.customers.resolve(customer)
    values: dict[str, Any] = {"customer_id": cust.id, "score": str(value), "source": source}
    for name, given in (
        ("comment", comment),
        ("contact_id", contact_id),
        ("activity_id", activity_id),
        ("opportunity_id", opportunity_id),
        ("service_id", service_id),
    ):
        if given:
            values[name] = given
    with book.db.transaction():
        survey = repos.surveys.create(values)
        follow = None
        if value <= LOW_SCORE:
            # A call-back still open from an earlier low score is the one to make: a second
            # identical follow-up would only be a duplicate on someone's list.
            open_one = _open_call_back(book, cust.id)
            if open_one is not None:
                return Taken(survey, open_one, reused=True)
            follow = repos.activities.create(
                {
                    "customer_id": cust.id,
                    "contact_id": contact_id,
                    "opportunity_id": opportunity_id,
                    "kind": "call",
                    "subject": f"Satisfaction {value}/5 ({SCORE_WORDS[value]}){CALL_BACK}",
                    "notes": comment or None,
                    "due_at": "tomorrow",
                }
            )
            owner = cust.owner_id
            if owner and owner != book.user_id and may_choose_owner(book.actor):
                # A manager's survey of a rep's customer: the call-back is the owner's.
                from crm_tui.services.duplicates import reassign_by_id

                reassign_by_id(book, "activity", follow.id, owner)
    return Taken(survey, follow)


def _open_call_back(book: Book, customer_id: str) -> Activity | None:
    """The customer's call-back from a low score that is not done yet, if any."""
    from crm_tui.domain.models import Activity

    found = book.db.repos.activities.page(
        where=[
            Activity.customer_id == customer_id,
            Activity.done_at.is_(None),  # type: ignore[union-attr]
            Activity.subject.like(f"Satisfaction %{CALL_BACK}"),  # type: ignore[attr-defined]
        ],
        limit=1,
    )
    return found[0] if found else None


def scores(book: Book, customer_id: str) -> tuple[list[Any], str]:
    """The customer's scores oldest first (surveys and service ratings) and their trend."""
    rows = book.db.repos.surveys.scores_of(customer_id)
    return rows, trend([r.score for r in rows])
