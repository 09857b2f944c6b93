"""Provides the words the screens use for kinds of records (issue 13 item 11): messages say
follow-up, deal, claim, never the stored names activity, opportunity, expense. No ORM
here: the CLI's error line uses it before any book is open."""

from __future__ import annotations

import re

WORDS = {
    "activity": "follow-up",
    "activities": "follow-ups",
    "opportunity_line": "deal line",
    "opportunity": "deal",
    "opportunities": "deals",
    "expense": "claim",
    "expenses": "claims",
    "saved_query": "view",
    "payment_plan": "instalment",
}
_WORD_RE = re.compile(r"\b(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\b")


def word_for(entity: str) -> str:
    """What the screens call a kind of record: activity -> follow-up, opportunity -> deal."""
    return WORDS.get(entity, entity.replace("_", " "))


_QUOTED = re.compile(r"('[^']*')")


def screen_words(message: str) -> str:
    """A message with the stored names replaced by the screens' words (text in single
    quotes -- what the user typed -- stays as it is)."""
    parts = _QUOTED.split(message)
    return "".join(
        part if n % 2 else _WORD_RE.sub(lambda m: WORDS[m.group(1)], part)
        for n, part in enumerate(parts)
    )
