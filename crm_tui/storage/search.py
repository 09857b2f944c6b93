"""Provides full-text search that finds Chinese substrings as well as English words.

SQLite's unicode61 tokenizer treats a run of Chinese as one word, and trigram needs three
characters (and on 3.40 a trigram LIKE misses rows), so CJK runs are indexed as overlapping
bigrams plus the run's last character, as Lucene's CJK analyzer does; a query is split the
same way and matched as a phrase. One-character queries match as a prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Han, Hiragana/Katakana, Hangul, and CJK punctuation-free ranges.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
_RUN_RE = re.compile(f"[{_CJK}]+|[^\\W_]+", re.UNICODE)
_CJK_RE = re.compile(f"^[{_CJK}]+$")


def _cjk_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def index_text(parts: Iterable[str | None]) -> str:
    """The body stored in the FTS index for a record's searchable fields."""
    tokens: list[str] = []
    for part in parts:
        if not part:
            continue
        for run in _RUN_RE.findall(unicodedata.normalize("NFKC", part)):
            if _CJK_RE.match(run):
                tokens.extend(_cjk_tokens(run))
            else:
                tokens.append(run)
    return " ".join(tokens)


def match_expression(text: str) -> str | None:
    """An FTS5 MATCH expression for what the rep typed, or None when nothing is searchable.

    Every word must match; the last Latin word is a prefix (search as you type), and so is
    every Latin word, since reps type fragments ('acm bei').
    """
    terms: list[str] = []
    for run in _RUN_RE.findall(unicodedata.normalize("NFKC", text)):
        if _CJK_RE.match(run):
            if len(run) == 1:
                terms.append(f'"{run}"*')
            else:
                bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
                terms.append('"' + " ".join(bigrams) + '"')
        else:
            terms.append(f'"{run}"*')
    return " AND ".join(terms) if terms else None


def searchable_parts(entity: str, record: dict, company: str | None = None) -> list[str | None]:
    """Which fields of a record are searched: name, company, phone, e-mail, city, notes, tags."""
    if entity == "customer":
        keys = ("name", "phone", "email", "city", "address", "industry", "website", "notes")
        return [record.get(k) for k in keys] + [(record.get("tags") or "").replace(",", " ")]
    if entity == "contact":
        keys = ("name", "title", "phone", "mobile", "email", "notes")
        return [record.get(k) for k in keys] + [company]
    raise ValueError(f"{entity} is not searchable")


def pinyin_key(name: str) -> str:
    """Sort key that puts 张伟 among the Zs, as a Chinese rep expects, beside 'Zhao Ltd'."""
    from pypinyin import Style, lazy_pinyin  # loaded on first write only

    syllables = lazy_pinyin(
        unicodedata.normalize("NFKC", name), style=Style.NORMAL, errors="default"
    )
    return " ".join(s.strip() for s in syllables if s.strip()).lower()
