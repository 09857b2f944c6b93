"""Provides the query language shared by the query bar, saved views and `crm query`.

`compile_query(entity, text, ctx)` turns what a rep typed into a typed `Filter`
(crm_tui/domain/filter.py) with no SQL in it; storage makes it SQL. `QueryError` says which
token is wrong, where, and what was probably meant.
"""

from __future__ import annotations

from typing import Any

from crm_tui.query.compiler import compile_query
from crm_tui.query.context import QueryContext
from crm_tui.query.parser import FieldTerm, QueryError, TagTerm, TextTerm, parse, tokenize
from crm_tui.query.sort import parse_sort

__all__ = [
    "FieldTerm",
    "QueryContext",
    "QueryError",
    "TagTerm",
    "TextTerm",
    "compile_filter",
    "compile_query",
    "parse",
    "parse_sort",
    "tokenize",
]


def compile_filter(entity: str, text: str, *, db: Any) -> list[Any]:
    """Deprecated (until the screens, CLI and io move to crm_tui.services.lists): SQLAlchemy
    clauses for `text`. A temporary shim; it goes when no caller is left."""
    from crm_tui.services.lists import compile_clauses  # temporary shim, see API-A.md

    return compile_clauses(db, entity, text)
