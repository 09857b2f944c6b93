"""The compact field-clock form (domain/field_clocks.py): every function, and the invariant
that a compacted or stamped map gives every named field the clock it had."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from crm_tui.domain import field_clocks as fc

A = "0001763900000000-000000-laptop-a"
B = "0001763900000005-000001-laptop-b"
C = "0001763900000009-000000-server"

names = st.sampled_from(["name", "phone", "email", "city", "deleted", "owner_note", "x"])
clocks = st.sampled_from([A, B, C, "0001763900000001-000003-c"])
full_maps = st.dictionaries(names, clocks, min_size=1)


def test_clock_of_own_entry_wins_over_star_and_missing_reads_empty() -> None:
    assert fc.clock_of({"*": A, "phone": B}, "phone") == B
    assert fc.clock_of({"*": A, "phone": B}, "name") == A
    assert fc.clock_of({"phone": B}, "name") == ""
    assert fc.clock_of({}, "name") == ""


def test_one_clock_and_its_json_match_the_encoder() -> None:
    assert fc.one_clock(A) == {"*": A}
    assert fc.one_clock_json(A) == json.dumps({"*": A})
    # A stamp the fast path cannot quote is still valid JSON.
    odd = 'a"b\\c\u00e9'
    assert json.loads(fc.one_clock_json(odd)) == {"*": odd}


def test_stamp_sets_entries_and_drops_those_equal_to_star() -> None:
    base = {"*": A, "phone": B}
    out = fc.stamp(base, ["name", "email"], C)
    assert out == {"*": A, "phone": B, "name": C, "email": C}
    assert base == {"*": A, "phone": B}  # not changed in place
    # Stamping with the star's clock adds nothing; an equal explicit entry goes.
    assert fc.stamp({"*": A, "phone": A, "city": B}, ["name"], A) == {"*": A, "city": B}


def test_compact_picks_the_most_common_clock_and_keeps_the_rest() -> None:
    full = {"name": A, "phone": A, "email": B, "deleted": A}
    assert fc.compact(full) == {"*": A, "email": B}
    assert fc.compact({"name": A, "phone": B}) == {"name": A, "phone": B}  # nothing shared
    assert fc.compact({}) == {}
    # A map with "*" keeps its star (never re-picked), tidied only.
    assert fc.compact({"*": A, "name": B, "phone": B, "city": A}) == {"*": A, "name": B, "phone": B}
    assert len(json.dumps(fc.compact(full))) < len(json.dumps(full))


def test_expand_names_every_field_for_an_old_client() -> None:
    assert fc.expand({"*": A, "phone": B}, ["name", "phone", "deleted"]) == {
        "name": A,
        "phone": B,
        "deleted": A,
    }
    old = {"name": A, "phone": B}
    assert fc.expand(old, ["name", "phone", "city"]) == old  # a full map is sent as stored


def test_newest() -> None:
    assert fc.newest({"*": A, "phone": C, "name": B}) == C
    assert fc.newest({}) == ""


@given(full_maps)
def test_compact_keeps_every_named_fields_clock(full: dict[str, str]) -> None:
    small = fc.compact(full)
    for name, clock in full.items():
        assert fc.clock_of(small, name) == clock
    assert len(json.dumps(small)) <= len(json.dumps(full))
    assert fc.expand(small, full) == full
    assert fc.newest(small) == fc.newest(full)


@given(full_maps, st.lists(st.tuples(st.lists(names, max_size=4), clocks), max_size=6))
def test_stamp_keeps_the_invariant_over_edits(
    full: dict[str, str], edits: list[tuple[list[str], str]]
) -> None:
    small = fc.compact(full)
    for edited, at in edits:
        full = {**full, **dict.fromkeys(edited, at)}
        small = fc.stamp(small, edited, at)
        for name, clock in full.items():
            assert fc.clock_of(small, name) == clock
        # No explicit entry repeats the star.
        star = small.get("*")
        assert all(c != star for n, c in small.items() if n != "*")
