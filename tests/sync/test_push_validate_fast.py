"""Issue 21: the server's compiled value checks (server/crud/validate_fast.py) give exactly
the registry's answer: a value they accept is the value the full path stores, and a value
the full path refuses is never accepted; what a laptop normally sends takes the fast path."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_tui.domain.fields import ENTITIES
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.validate import _full_check
from crm_tui.server.crud.validate_fast import SLOW, entity_checks

EDGE: list[Any] = [
    None, True, False, 0, -1, 1, 99, 100, 101, 2**31, 10**9, 10**9 + 1, 10**15, 10**15 + 1,
    1.5, "", " ", "x", " x ", "0", "-5", "true", "no", "12%", "0001-01-01", "1899-12-31",
    "1900-01-01", "2200-12-31", "2201-01-01", "2026-02-30", "2026-2-3", "20260203",
    "2026-11-20T10:00:00Z", "2026-11-20T10:00:00.123456Z", "2026-11-20T10:00:00.000000Z",
    "2026-11-20T25:00:00Z", "2026-11-20T10:00:00", "2026-11-20T10:00:00+08:00",
    "1899-12-31T23:59:59Z", "2200-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "tomorrow",
    "\u0663\u0660\u0662\u0666-01-01", "USD 12.50", "a@b.co", "+86 27 1234 5678",
    "https://x.example/p", "\ud800", "a\udfffb", " \ud800 ", "x" * 199, "x" * 200, "x" * 201,
    "中" * 300, "tag1,tag2", "company", "COMPANY", " Company ", "won", [], {"a": 1},
]  # fmt: skip


def _full(spec: Any, raw: Any) -> tuple[str, Any]:
    try:
        return "ok", _full_check(spec, raw)
    except Refused as exc:
        return "refused", str(exc)


def _fields() -> list[tuple[str, str]]:
    return [(e, f.name) for e, spec in ENTITIES.items() for f in spec.fields]


def _same(entity: str, name: str, raw: Any) -> bool:
    """True when the fast path answered (else it handed the value to the full path)."""
    spec, fast = entity_checks(entity)[name]
    got = fast(raw)
    if got is SLOW:
        return False
    assert _full(spec, raw) == ("ok", got), (entity, name, raw, got)
    return True


@pytest.mark.parametrize("raw", EDGE, ids=repr)
def test_fast_answer_is_the_registry_answer_for_edge_values(raw: Any) -> None:
    for entity, name in _fields():
        _same(entity, name, raw)


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(_fields()),
    raw=st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-5, max_value=10**16),
        st.text(max_size=12),
        st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?", fullmatch=True),
    ),
)
def test_fast_answer_is_the_registry_answer(field: tuple[str, str], raw: Any) -> None:
    _same(*field, raw)


def test_what_a_laptop_sends_takes_the_fast_path() -> None:
    sent = {
        ("customer", "name"): "深圳明德贸易股份有限公司",
        ("customer", "kind"): "company",
        ("customer", "website"): None,
        ("customer", "locked"): False,
        ("activity", "due_at"): "2026-08-28T00:00:00Z",
        ("activity", "all_day"): True,
        ("activity", "customer_id"): "01a24395-64b1-7350-980b-a140e1da3070",
    }
    for (entity, name), raw in sent.items():
        assert _same(entity, name, raw), (entity, name, raw)
    # Typed text and refusals go the registry's way, with its message.
    spec, fast = entity_checks("customer")["kind"]
    assert fast("no such kind") is SLOW
    assert _full(spec, "no such kind")[0] == "refused"
