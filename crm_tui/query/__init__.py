"""Provides the query language shared by the query bar, saved views and `crm query`.

`compile_query(entity, text, ctx)` turns what a rep typed into a typed `Filter`
(crm_tui/domain/filter.py) with no SQL in it; storage makes it SQL. `QueryError` says which
token is wrong, where, and what was probably meant.
"""

from __future__ import annotations

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
    "compile_query",
    "parse",
    "parse_sort",
    "tokenize",
]
