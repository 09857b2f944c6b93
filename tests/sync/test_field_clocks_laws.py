"""Merge laws with mixed clock forms: the server's `decide` and the laptop's `merge_pulled`
reach the same outcome whether a row's clocks are stored full (one entry per field, as
every row written before the compact form) or compact ({"*": stamp} plus the fields edited
since), over random edits from three devices."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_tui.domain.field_clocks import ALL, clock_of, compact
from crm_tui.server.crud.merge import decide
from crm_tui.storage.merge import clocks_json, merge_pulled

FIELDS = ["name", "city", "grade", "phone", "notes"]
DEVICES = ["lap-a", "lap-b", "lap-c"]


def _hlc(n: int, node: str) -> str:
    return f"{1795446410905 + n:016d}-{n % 7:06d}-{node}"


values_of = {
    "name": st.sampled_from(["Acme", "东方机械", "Borealis"]),
    "city": st.one_of(st.none(), st.sampled_from(["Ningbo", "北京"])),
    "grade": st.one_of(st.none(), st.sampled_from(["A", "B"])),
    "phone": st.sampled_from(["010 1", "021 2"]),
    "notes": st.one_of(st.none(), st.just("说明")),
}


@st.composite
def edits(draw: Any) -> list[dict[str, Any]]:
    """Mutations in arrival order: kind, fields, clock (not in clock order: offline edits
    arrive late), and the version the laptop had seen."""
    out = []
    for step in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(["patch"] * 6 + ["delete", "restore"]))
        names = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True))
        incoming = {n: draw(values_of[n]) for n in names} if kind == "patch" else {}
        device = draw(st.sampled_from(DEVICES))
        out.append(
            {
                "kind": kind,
                "incoming": incoming,
                "hlc": _hlc(draw(st.integers(1, 40)), device),
                "base": draw(st.integers(0, step + 1)),
                "writer": device,
            }
        )
    return out


def _create(draw_values: dict[str, Any], stamp: str) -> tuple[dict[str, str], dict[str, str]]:
    full = dict.fromkeys([*draw_values, "deleted"], stamp)  # as the server wrote it before
    return full, {ALL: stamp}  # as it writes it now


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries(values_of), st.integers(0, 20), edits())
def test_server_decide_is_the_same_on_full_and_compact_clocks(
    made: dict[str, Any], at: int, history: list[dict[str, Any]]
) -> None:
    full, small = _create(made, _hlc(at, "lap-a"))
    rows = {"full": [dict(made), False, full], "compact": [dict(made), False, small]}
    # Who changed each field at which seq: the create (seq 1, by lap-a) named per field
    # before, {"*": ...} now.
    versions = {
        "full": dict.fromkeys([*made, "deleted"], [1, "lap-a"]),
        "compact": {ALL: [1, "lap-a"]},
    }
    for seq, m in enumerate(history, start=2):
        outcomes = {}
        for form, row in rows.items():
            values, deleted, clocks = row
            d = decide(
                kind=m["kind"],
                values=values,
                deleted=deleted,
                clocks=clocks,
                versions=versions[form],
                incoming=m["incoming"],
                hlc=m["hlc"],
                base_version=m["base"],
                writer=m["writer"],
            )
            rows[form] = [d.values, d.deleted, d.clocks]
            outcomes[form] = d
        a, b = outcomes["full"], outcomes["compact"]
        assert a.values == b.values and a.deleted == b.deleted
        assert a.outcome == b.outcome  # same changes, conflicts (with their clocks), notices
        assert a.writes == b.writes or not a.outcome.changed
        for name in [*FIELDS, "deleted"]:
            assert clock_of(a.clocks, name) == clock_of(b.clocks, name), name
        assert ALL not in a.clocks  # a full map stays full
        star = b.clocks[ALL]
        assert all(c != star for n, c in b.clocks.items() if n != ALL)
        for name in a.outcome.changed:
            versions["full"][name] = versions["compact"][name] = [seq, m["writer"]]


@st.composite
def pulled(draw: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    fields = {n: draw(values_of[n]) for n in FIELDS}
    clocks = {
        n: _hlc(draw(st.sampled_from([3, 3, 3, draw(st.integers(0, 30))])), "server")
        for n in [*FIELDS, "deleted"]
    }
    data = {
        "fields": fields,
        "owner_id": "u-1",
        "deleted": draw(st.booleans()),
        "field_hlc": clocks,
        "created_at": "2026-11-20T09:30:00.000000Z",
        "updated_at": "2026-11-20T09:30:00.000000Z",
    }
    pending = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["patch", "patch", "delete", "restore"]))
        names = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=2, unique=True))
        payload = {n: draw(values_of[n]) for n in names} if kind == "patch" else {}
        pending.append(
            {"kind": kind, "payload": payload, "hlc": _hlc(draw(st.integers(0, 40)), "lap")}
        )
    return data, pending


@settings(max_examples=300, deadline=None)
@given(pulled())
def test_laptop_merge_pulled_is_the_same_on_full_and_compact_clocks(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    data, pending = case
    small = dict(data, field_hlc=compact(data["field_hlc"]))
    a = merge_pulled("customer", data, pending)
    b = merge_pulled("customer", small, pending)
    assert (a.fields, a.deleted, a.overlaid, a.extra) == (b.fields, b.deleted, b.overlaid, b.extra)
    stored_a, stored_b = json.loads(clocks_json(a.field_hlc)), json.loads(clocks_json(b.field_hlc))
    for name in [*FIELDS, "deleted"]:
        assert clock_of(a.field_hlc, name) == clock_of(b.field_hlc, name), name
        assert clock_of(stored_a, name) == clock_of(stored_b, name) == clock_of(a.field_hlc, name)
    # The snapshot the caller passed is not changed.
    assert small["field_hlc"] == compact(data["field_hlc"])


def test_a_new_row_pulled_with_one_clock_is_stored_compact() -> None:
    stamp = _hlc(1, "server")
    full = dict.fromkeys([*FIELDS, "deleted"], stamp)
    assert json.loads(clocks_json(full)) == {ALL: stamp}
    assert json.loads(clocks_json({ALL: stamp})) == {ALL: stamp}
    mixed = dict(full, city=_hlc(2, "lap"))
    assert json.loads(clocks_json(mixed)) == mixed  # kept as sent
    assert json.loads(clocks_json({"name": stamp})) == {"name": stamp}  # one entry: not "*"
