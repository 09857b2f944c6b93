"""The search box's FTS expression is split by one pattern (domain/search_text._TOKEN_RE)
instead of a run pattern plus an all-CJK check: what a rep types must give the same
expression as the two-pattern split did, for Chinese, Latin, mixed and odd text."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_tui.domain.search_text import _CJK, match_expression

_RUN_RE = re.compile(f"[{_CJK}]+|[^\\W_]+", re.UNICODE)
_CJK_RE = re.compile(f"^[{_CJK}]+$")


def _two_pattern(text: str) -> str | None:
    terms: list[str] = []
    for run in _RUN_RE.findall(unicodedata.normalize("NFKC", text)):
        if _CJK_RE.match(run):
            if len(run) == 1:
                terms.append(f'"{run}"*')
            else:
                terms.append('"' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"')
        else:
            terms.append(f'"{run}"*')
    return " AND ".join(terms) if terms else None


# Han, full-width Latin, kana, Hangul, a combining accent, a compatibility ideograph, an
# extension-B character, punctuation and the underscore (a word character FTS splits on).
ALPHABET = st.sampled_from(
    list("北京科技有限公司ａｂＡacme_ -1２3ぁカ한글\u00e9e\u0301\uf900𠀋,.·")
)


@settings(max_examples=400, deadline=None)
@given(st.text(ALPHABET, max_size=14))
def test_same_expression_as_the_two_pattern_split(text: str) -> None:
    assert match_expression(text) == _two_pattern(text)


def test_typed_words() -> None:
    assert match_expression("北京") == '"北京"'
    assert match_expression("北京科技") == '"北京 京科 科技"'
    assert match_expression("acm bei") == '"acm"* AND "bei"*'
    assert match_expression("abc北京 科") == '"abc北京"* AND "科"*'
    assert match_expression("北京abc") == '"北京" AND "abc"*'
    assert match_expression(" ,. ") is None
