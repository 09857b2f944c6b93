"""Provides the customer insight words of the query language (issue 22): `segment:` takes a
group's key or Chinese name (`segment:重要价值`, `segment:important-value`, `segment:none`),
`risk` compares the churn risk, a number from 0 to 1 or a percent (`risk>0.6`,
`risk>=60%`). `clv` is a money field (vocabulary.py) and needs nothing here.
"""

from __future__ import annotations

from crm_tui.domain.filter import Clause, Compare, IsEmpty, Not
from crm_tui.domain.insight import SEGMENTS, segment_named
from crm_tui.query.context import Ctx, combine, error, suggest
from crm_tui.query.parser import FieldTerm

INSIGHT_PSEUDO = ("segment", "risk")
SEGMENT_WORDS = tuple(s.key for s in SEGMENTS) + tuple(s.chinese for s in SEGMENTS) + ("none",)


def insight_term(ctx: Ctx, term: FieldTerm, name: str) -> Clause:
    if not term.values:
        raise error(term, f"'{term.token}' needs a value", f"{name}:{SEGMENT_WORDS[0]}")
    if name == "segment":
        if term.op not in (":", "="):
            raise error(term, "'segment' takes ':'", f"segment:{term.values[0]}")
        return combine(term, None, lambda v: _segment(term, v))
    return _risk(term)


def _segment(term: FieldTerm, value: str) -> Clause:
    if value.lower() == "none":
        return IsEmpty("segment")
    found = segment_named(value)
    if found is None:
        raise error(
            term,
            f"'{value}' is not a segment (one of {', '.join(s.key for s in SEGMENTS)})",
            suggest(value, SEGMENT_WORDS),
        )
    return Compare("segment", "=", found.key)


def _risk(term: FieldTerm) -> Clause:
    if len(term.values) != 1:
        raise error(term, "'risk' takes one number", "risk>0.6")
    text = term.values[0].strip()
    try:
        number = float(text.rstrip("%")) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise error(term, f"'{text}' is not a risk from 0 to 1", "risk>0.6") from None
    if not 0 <= number <= 1:
        raise error(term, f"'{text}' is not a risk from 0 to 1", "risk>0.6")
    if term.op == "!=":
        return Not(Compare("risk", "=", number))
    op = term.op if term.op in (">", ">=", "<", "<=") else "="
    return Compare("risk", op, number)
