"""Provides `sort_key`: `search.pinyin_key` with an equal result, many times faster on many
names (imports, pulls, the demo).

`lazy_pinyin(text)` is pypinyin's word segmentation of the text followed by one conversion
per word, and a word's conversion depends on the word alone. So the segmentation is run as
pypinyin runs it and each word's syllables are remembered: company names are new strings
but their words repeat (北京, 科技, 股份有限公司), and the conversion (phrase lookup, a deep
copy of the dictionary entry, style rules) was ~90% of an import's Python time. A test
holds the two functions equal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache

_WORDS: dict[str, tuple[str, ...]] = {}
_WORDS_MAX = 200_000  # a bounded memory: ~20 MB at most, then it starts again


@cache
def _pipeline() -> tuple[Callable[[str], list[str]], Callable[[str], list[list[str]]]]:
    """(segment, convert one word) exactly as `lazy_pinyin(text, Style.NORMAL)` does."""
    from pypinyin import Style
    from pypinyin.converter import DefaultConverter
    from pypinyin.core import Pinyin

    pinyin = Pinyin(DefaultConverter())
    converter = DefaultConverter()

    def convert(word: str) -> list[list[str]]:
        return converter.convert(word, Style.NORMAL, False, "default", strict=True)

    return pinyin.seg, convert


def _syllables(word: str, convert: Callable[[str], list[list[str]]]) -> tuple[str, ...]:
    found = _WORDS.get(word)
    if found is None:
        if len(_WORDS) >= _WORDS_MAX:
            _WORDS.clear()
        found = tuple(s for group in convert(word) for s in group)
        _WORDS[word] = found
    return found


def sort_key(name: str) -> str:
    """Sort key that puts 张伟 among the Zs (equal to `search.pinyin_key(name)`)."""
    text = unicodedata.normalize("NFKC", name)
    if text.isascii():
        # No Han characters: pypinyin passes the text through as one piece.
        stripped = text.strip()
        return stripped.lower()
    segment, convert = _pipeline()
    syllables: list[str] = []
    for word in segment(text):
        syllables.extend(_syllables(word, convert))
    return " ".join(s.strip() for s in syllables if s.strip()).lower()
