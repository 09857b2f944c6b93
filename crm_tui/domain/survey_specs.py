"""Provides the satisfaction record (issue 22): who was asked, the score and what they said,
and what it followed (a call or visit, a won deal, a finished service order).

The score is 1..5 (非常不满意 .. 非常满意), not NPS's 0..10: service orders rate their work
1..5 too (issue 21), so a finished service order's rating and a rep's survey are one
series with one trend, and a rep asks it in one breath on the phone. 1 and 2 are
dissatisfied: such a score creates a follow-up for the customer's owner (services/surveys.py).
"""

from __future__ import annotations

from enum import StrEnum

from crm_tui.domain.field_values import EntitySpec
from crm_tui.domain.field_values import FieldSpec as F

SCORE_MIN, SCORE_MAX = 1, 5
LOW_SCORE = 2  # this or less asks for a follow-up
SCORE_WORDS = {1: "very unhappy", 2: "unhappy", 3: "neutral", 4: "happy", 5: "very happy"}


class SurveySource(StrEnum):
    CALL = "call"
    VISIT = "visit"
    DEAL = "deal"  # after a won deal
    SERVICE = "service"  # after a finished service order
    OTHER = "other"


SURVEY_SPEC = EntitySpec(
    "survey",
    "survey",
    "comment",
    (
        F("customer_id", "ref", "Customer", required=True, ref="customer"),
        F("contact_id", "ref", "Contact", ref="contact"),
        F("score", "int", "Score (1-5)", required=True),
        F("comment", "longtext", max_len=4_000),
        F("source", "enum", choices=tuple(s.value for s in SurveySource)),
        F("taken_on", "date", "Taken on"),
        F("activity_id", "ref", "Follow-up", ref="activity"),
        F("opportunity_id", "ref", "Deal", ref="opportunity"),
        # Not a `ref`: the service module may not be installed on this laptop.
        F("service_id", "text", "Service order", max_len=64),
    ),
    plural="surveys",
    aliases=("satisfaction", "score", "scores"),
)


def score_error(score: object) -> str | None:
    """Why `score` is not a satisfaction score, or None."""
    if (
        not isinstance(score, int)
        or isinstance(score, bool)
        or not (SCORE_MIN <= score <= SCORE_MAX)
    ):
        return f"must be a whole number from {SCORE_MIN} to {SCORE_MAX}"
    return None
