"""Provides the query language's tokenizer and parser: text -> a list of terms with positions.

The parser knows the shape of the language, not the fields of any record type; the compiler
checks names and values against the field registry. Every term keeps the column (1-based)
where its token starts, so an error can point at it.

    city:北京 grade:A,B     field match; a comma means any of
    stage:-lost  -city:上海  a leading '-' on a value or on the term negates it
    amount>50k due<=eow     comparisons: > >= < <= = !=
    due:today..eow          a range (inclusive)
    +vip -cold              tag present / absent
    "steel pipe" acme       free text (a quoted phrase keeps its words together)
    customer.city:上海       a field of a related record
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class QueryError(ValueError):
    """A query the language refuses; names the token, its column and, when known, a fix."""

    def __init__(
        self, message: str, token: str = "", column: int = 0, suggestion: str | None = None
    ) -> None:
        self.message = message
        self.token = token
        self.column = column
        self.suggestion = suggestion
        super().__init__(message)


@dataclass(frozen=True)
class FieldTerm:
    """`path op values`, e.g. ('customer', 'city') ':' ('上海',)."""

    path: tuple[str, ...]
    op: str
    values: tuple[str, ...]
    negated: bool
    token: str
    column: int

    @property
    def name(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class TagTerm:
    tag: str
    present: bool
    token: str
    column: int


@dataclass(frozen=True)
class TextTerm:
    text: str
    phrase: bool
    negated: bool
    token: str
    column: int


Term = FieldTerm | TagTerm | TextTerm

OPERATORS = (">=", "<=", "!=", ":", "=", ">", "<")
_FIELD_RE = re.compile(
    r"^(-?)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(>=|<=|!=|:|=|>|<)"
)
_COMMAS = (",", "，")


def tokenize(text: str) -> list[tuple[str, int]]:
    """Split on whitespace outside double quotes; returns (token, 1-based column) pairs."""
    tokens: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        quoted = False
        while i < n and (quoted or not text[i].isspace()):
            if text[i] in '"“”':
                quoted = not quoted
            i += 1
        if quoted:
            raise QueryError(
                f"unclosed quote at column {start + 1}",
                text[start:i],
                start + 1,
                text[start:i] + '"',
            )
        tokens.append((text[start:i], start + 1))
    return tokens


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] in '"“' and value[-1] in '"”':
        return value[1:-1]
    return value.replace('"', "").replace("“", "").replace("”", "")


def split_values(raw: str) -> tuple[str, ...]:
    """'A,B' -> ('A', 'B'); commas inside quotes stay; quotes are removed."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in raw:
        if ch in '"“”':
            quoted = not quoted
            current.append(ch)
        elif ch in _COMMAS and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return tuple(_unquote(p.strip()) for p in parts)


def parse(text: str) -> list[Term]:
    """The terms of a query, left to right; raises QueryError on a malformed token."""
    terms: list[Term] = []
    for token, column in tokenize(text):
        m = _FIELD_RE.match(token)
        if m:
            negated, path, op = m.group(1) == "-", m.group(2), m.group(3)
            raw = token[m.end() :]
            if op != ":" and not raw:
                raise QueryError(f"'{path}{op}' needs a value at column {column}", token, column)
            values = split_values(raw) if raw else ()
            if op != ":" and len(values) > 1:
                raise QueryError(
                    f"'{path}{op}' takes one value, not a list, at column {column}", token, column
                )
            terms.append(
                FieldTerm(tuple(path.lower().split(".")), op, values, negated, token, column)
            )
            continue
        if len(token) > 1 and token[0] in "+-" and token[1] not in '"“':
            tag = token[1:]
            if tag[0] in "+-":
                raise QueryError(
                    f"'{token}' is not a tag at column {column}",
                    token,
                    column,
                    token[0] + tag.lstrip("+-"),
                )
            terms.append(TagTerm(tag, token[0] == "+", token, column))
            continue
        negated = token.startswith("-")
        body = token[1:] if negated else token
        phrase = body.startswith(('"', "“"))
        value = _unquote(body)
        if not value.strip():
            if phrase:
                continue  # an empty pair of quotes asks for nothing
            raise QueryError(f"'{token}' is not a query term at column {column}", token, column)
        terms.append(TextTerm(value, phrase, negated, token, column))
    return terms
