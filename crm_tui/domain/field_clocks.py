"""Provides the compact form of a record's field clocks (`field_hlc`) and the functions that
read and write it on both sides of sync (pure: stdlib only).

`field_hlc` is a JSON object: field name -> hybrid clock ('0001763900000000-000000-<node>').
The key `ALL` ("*", never a field name: field names are identifiers) holds the clock of
every field NOT named in the map; a named field's own entry wins. So a record made in one
step is `{"*": stamp}` instead of one ~75-character clock per field, and an edit adds
explicit entries only for the fields it stamped.

A map without "*" (every row stored before this form existed, and what old laptops hold) is
still valid and means exactly what it meant. The only change of meaning is for a field with
no entry at all in an old full map, which now reads "*"'s clock instead of none: no such
field exists in practice (creation stamps every field and "deleted"), and only a map that
has "*" reads it.

Rules: a write drops explicit entries equal to "*"; "*" is never re-picked from a map that
already has one (the fields it covers are not enumerated, so moving it would change them);
`compact` chooses "*" only for a map without one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping

ALL = "*"

_SAFE = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:")


def clock_of(clocks: Mapping[str, str], name: str) -> str:
    """The clock of field `name`: its own entry, else "*"'s, else "" (never written)."""
    return clocks.get(name) or clocks.get(ALL) or ""


def one_clock(stamp: str) -> dict[str, str]:
    """The clocks of a record made in one step: every field at `stamp`."""
    return {ALL: stamp}


def one_clock_json(stamp: str) -> str:
    """`json.dumps(one_clock(stamp))` without the encoder for the usual stamp (hot on create,
    import and pull: one per row)."""
    if _SAFE.issuperset(stamp):
        return '{"*": "' + stamp + '"}'
    return json.dumps({ALL: stamp})


def tidy(clocks: dict[str, str]) -> dict[str, str]:
    """Drop, in place, explicit entries equal to "*" (they say nothing "*" does not)."""
    star = clocks.get(ALL)
    if star is not None and len(clocks) > 1:
        for name in [n for n, c in clocks.items() if c == star and n != ALL]:
            del clocks[name]
    return clocks


def stamp(clocks: Mapping[str, str], names: Iterable[str], at: str) -> dict[str, str]:
    """A new map: `clocks` with each of `names` set to `at`, explicit equals of "*" dropped."""
    out = dict(clocks)
    for name in names:
        out[name] = at
    return tidy(out)


def compact(clocks: Mapping[str, str]) -> dict[str, str]:
    """A map WITHOUT "*" (an old full map) in compact form: its most common clock becomes
    "*" when at least two entries share it. A map that has "*" is only tidied."""
    if ALL in clocks:
        return tidy(dict(clocks))
    if not clocks:
        return {}
    common, count = Counter(clocks.values()).most_common(1)[0]
    # "*" replaces `count` entries with one; with a single entry it would save only a few
    # characters of a name, so such a map (all clocks distinct) is kept as it is.
    if count < 2:
        return dict(clocks)
    out = {ALL: common}
    out.update((n, c) for n, c in clocks.items() if c != common)
    return out


def expand(clocks: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The full map an old client expects: every one of `names` (the record's fields and
    "deleted") with its clock, and the map's other explicit entries; no "*"."""
    star = clocks.get(ALL)
    if star is None:
        return dict(clocks)
    out = dict.fromkeys(names, star)
    out.update((n, c) for n, c in clocks.items() if n != ALL)
    return out


def newest(clocks: Mapping[str, str]) -> str:
    """The newest clock in the map ("" for none): what a server stamp must be ticked past."""
    return max(clocks.values(), default="")
