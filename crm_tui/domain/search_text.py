"""Provides the text side of full-text search: how records are indexed and queries split.

SQLite's unicode61 tokenizer treats a run of Chinese as one word, and trigram needs three
characters (and on 3.40 a trigram LIKE misses rows), so CJK runs are indexed as overlapping
bigrams plus the run's last character, as Lucene's CJK analyzer does; a query is split the
same way and matched as a phrase. One-character queries match as a prefix. Pure functions:
the query language (FTS expressions in a Filter) and storage (the index) share them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Han, Hiragana/Katakana, Hangul, and CJK punctuation-free ranges.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"

# One pass over a text: (CJK run, '') or ('', run of letters and digits); a Latin run may go
# on into CJK characters ('abc北京' is one token). One pattern for index and query alike:
# each CJK class costs ~1.5 ms to compile at every start.
_TOKEN_RE = re.compile(f"([{_CJK}]+)|([^\\W_]+)", re.UNICODE)


def index_text(parts: Iterable[str | None]) -> str:
    """The body stored in the FTS index for a record's searchable fields."""
    # The parts joined by a space read as the parts one by one do: a space ends every run,
    # and NFKC neither composes nor reorders anything across it. One normalize and one
    # scan per record instead of one per field (imports index 100k records).
    text = unicodedata.normalize("NFKC", " ".join([p for p in parts if p]))
    tokens: list[str] = []
    for cjk, other in _TOKEN_RE.findall(text):
        if other:
            tokens.append(other)
        elif len(cjk) == 1:
            tokens.append(cjk)
        else:
            tokens.extend([cjk[i : i + 2] for i in range(len(cjk) - 1)])
            tokens.append(cjk[-1])
    return " ".join(tokens)


def match_expression(text: str) -> str | None:
    """An FTS5 MATCH expression for what the rep typed, or None when nothing is searchable.

    Every word must match; the last Latin word is a prefix (search as you type), and so is
    every Latin word, since reps type fragments ('acm bei').
    """
    terms: list[str] = []
    # The alternation tries the CJK class first at every position, so group 1 is exactly a
    # run made only of CJK characters.
    for cjk, other in _TOKEN_RE.findall(unicodedata.normalize("NFKC", text)):
        if other:
            terms.append(f'"{other}"*')
        elif len(cjk) == 1:
            terms.append(f'"{cjk}"*')
        else:
            bigrams = [cjk[i : i + 2] for i in range(len(cjk) - 1)]
            terms.append('"' + " ".join(bigrams) + '"')
    return " AND ".join(terms) if terms else None
