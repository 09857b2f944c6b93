"""Provides the query language shared by the query bar, saved views and `crm query`.

`compile_filter(entity, text, db=db)` turns what a rep typed into SQLAlchemy WHERE clauses
for `Repository.page(where=...)`; `QueryError` says which token is wrong, where, and what
was probably meant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_tui.query.parser import FieldTerm, QueryError, TagTerm, TextTerm, parse, tokenize

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

__all__ = [
    "FieldTerm",
    "QueryError",
    "TagTerm",
    "TextTerm",
    "compile_filter",
    "parse",
    "tokenize",
]


def compile_filter(entity: str, text: str, *, db: Any) -> list[ColumnElement[bool]]:
    """WHERE clauses for `text` over one record type; [] for an empty query.

    `entity` is a registry name, plural or alias ('customers', 'followups', 'deals');
    `db` provides `clock` (relative dates) and `user_id` (`owner:me`).
    """
    from crm_tui.query.compiler import compile_filter as _compile  # loads SQLAlchemy

    return _compile(entity, text, db=db)
