"""Provides what the compiler's parts share: the compile context, errors, suggestions and
how a term's comma-separated values (and `-value`s) combine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import FieldSpec
from crm_tui.domain.filter import AllOf, AnyOf, Clause, Not
from crm_tui.query.parser import FieldTerm, QueryError, TagTerm, TextTerm
from crm_tui.query.vocabulary import Vocabulary


class QueryContext(Protocol):
    """What a query needs to resolve its words: the clock and who 'me' is."""

    @property
    def clock(self) -> Clock: ...

    @property
    def user_id(self) -> str | None: ...


@dataclass
class Ctx:
    vocab: Vocabulary
    clock: Clock
    user_id: str | None
    currency: str

    @property
    def name(self) -> str:
        return self.vocab.spec.name


def error(
    term: FieldTerm | TagTerm | TextTerm, message: str, suggestion: str | None = None
) -> QueryError:
    text = f"{message} at column {term.column}"
    if suggestion:
        text += f"; did you mean {suggestion}?"
    return QueryError(text, term.token, term.column, suggestion)


def suggest(word: str, options: list[str] | tuple[str, ...]) -> str | None:
    lowered = {o.lower(): o for o in options}
    import difflib  # only a misspelt word needs it (~3 ms to import for every query)

    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[found[0]] if found else None


def _split_negated(term: FieldTerm, fspec: FieldSpec | None) -> tuple[list[str], list[str]]:
    positive, negative = [], []
    for value in term.values:
        is_offset = (
            fspec is not None and fspec.kind in ("date", "datetime") and value[1:2].isdigit()
        )
        if value.startswith("-") and len(value) > 1 and not is_offset:
            negative.append(value[1:])
        else:
            positive.append(value)
    return positive, negative


def combine(term: FieldTerm, fspec: FieldSpec | None, one: Callable[[str], Clause]) -> Clause:
    """Any of the term's values, and none of its `-value`s."""
    positive, negative = _split_negated(term, fspec)
    parts: list[Clause] = []
    if positive:
        options = [one(v) for v in positive]
        parts.append(options[0] if len(options) == 1 else AnyOf(tuple(options)))
    parts.extend(Not(one(v)) for v in negative)
    return AllOf(tuple(parts)) if len(parts) > 1 else parts[0]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
