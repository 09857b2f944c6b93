"""Provides `sort_key`: `search.pinyin_key` with an equal result, many times faster on many
names (imports, pulls, the demo).

`lazy_pinyin(text)` splits the text into runs of Han characters and runs of anything else,
cuts each Han run into words (forward maximum matching against the phrase dictionary) and
converts each word on its own. A run's words depend on the run alone and a word's syllables
on the word alone, so both are remembered: company names are new strings but their runs and
words repeat (深圳明德贸易股份有限公司 again with a branch number, 北京, 科技, 股份有限公司),
and the conversion (phrase lookup, a deep copy of the dictionary entry, style rules) was
~90% of an import's Python time. The split and the cut are pypinyin's algorithms written
over indexes instead of a character loop and string slices. A test holds the two functions
equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

_WORDS: dict[str, tuple[str, ...]] = {}
_RUNS: dict[str, str] = {}  # a run (of Han characters, or of others) -> its part of the key
# Bounded memory: a few MB each at most, then they start again.
_WORDS_MAX = 100_000
_RUNS_MAX = 20_000

Convert = Callable[[str], list[list[str]]]


@cache
def _pipeline() -> tuple[re.Pattern[str], Callable[[str], list[str]], Convert]:
    """(Han / other run splitter, cut of one Han run, convert one word) as
    `lazy_pinyin(text, Style.NORMAL)` does them."""
    from pypinyin import Style
    from pypinyin.constants import PHRASES_DICT, RE_HANS
    from pypinyin.converter import DefaultConverter
    from pypinyin.seg import mmseg

    # RE_HANS is '^(?:[CLASS])+$': the same class splits a text the way simple_seg does.
    inner = RE_HANS.pattern[len("^(?:[") : -len("])+$")]
    runs = re.compile(f"([{inner}]+)|[^{inner}]+")
    converter = DefaultConverter()

    def convert(word: str) -> list[list[str]]:
        return converter.convert(word, Style.NORMAL, False, "default", strict=True)

    if not PHRASES_DICT:  # no phrase dictionary: pypinyin does not cut a run
        return runs, lambda run: [run], convert
    prefixes = mmseg.seg._prefix_set._set  # noqa: SLF001 - the set its cut probes
    phrases = PHRASES_DICT

    def cut(run: str) -> list[str]:
        """mmseg.seg.cut(run) (strict: only dictionary phrases are words), by index."""
        words: list[str] = []
        start, end = 0, len(run)
        while start < end:
            best = 0  # end of the longest dictionary phrase found from `start`
            stop = start
            while stop < end:
                word = run[start : stop + 1]
                if word not in prefixes:
                    break
                if word in phrases:
                    best = stop + 1
                stop += 1
            else:  # the rest of the run is a prefix of some phrase
                if best:
                    words.append(run[start:best])
                    start = best
                    continue
                words.extend(run[start:])  # one character at a time
                break
            if best:
                words.append(run[start:best])
                start = best
            else:
                words.append(run[start])
                start += 1
        return words

    return runs, cut, convert


def _syllables(word: str, convert: Convert) -> tuple[str, ...]:
    found = _WORDS.get(word)
    if found is None:
        if len(_WORDS) >= _WORDS_MAX:
            _WORDS.clear()
        found = tuple(s for group in convert(word) for s in group)
        _WORDS[word] = found
    return found


def _piece(run: str, han: bool, cut: Callable[[str], list[str]], convert: Convert) -> str:
    """A run's syllables, stripped and joined: the run's part of the key."""
    found = _RUNS.get(run)
    if found is None:
        if len(_RUNS) >= _RUNS_MAX:
            _RUNS.clear()
        if han:
            syllables = [s.strip() for word in cut(run) for s in _syllables(word, convert)]
        else:  # not a dictionary word: kept here only, not among the words
            syllables = [s.strip() for group in convert(run) for s in group]
        found = _RUNS[run] = " ".join(s for s in syllables if s)
    return found


def sort_key(name: str) -> str:
    """Sort key that puts 张伟 among the Zs (equal to `search.pinyin_key(name)`)."""
    text = unicodedata.normalize("NFKC", name)
    if text.isascii():
        # No Han characters: pypinyin passes the text through as one piece.
        return text.strip().lower()
    runs, cut, convert = _pipeline()
    pieces = [_piece(m.group(), m.group(1) is not None, cut, convert) for m in runs.finditer(text)]
    return " ".join(p for p in pieces if p).lower()
