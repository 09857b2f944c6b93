"""Provides the per-field merge rules beyond last-writer-wins, read by both merges (the
server's `decide` and the laptop's `merge_pulled`) so the two agree.

Today one rule: "earliest wins" (domain/marketing_specs.EARLIEST_WINS) — two check-in desks
marking one person attended offline converge to the earliest time, whichever clock is newer,
and the fields that belong with that time (who checked them in) follow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crm_tui.domain.marketing_specs import EARLIEST_WINS


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def earliest_first(
    entity: str, current: Mapping[str, Any], incoming: Mapping[str, Any]
) -> tuple[set[str], set[str]]:
    """(take, keep): incoming fields that win whatever their clock (they carry an earlier
    time), and incoming fields that lose whatever their clock (the stored time is earlier).
    A first value or a clear is left to the clocks."""
    take: set[str] = set()
    keep: set[str] = set()
    for key, companions in EARLIEST_WINS.get(entity, {}).items():
        if key not in incoming:
            continue
        new, old = _moment(incoming[key]), _moment(current.get(key))
        if new is None or old is None or new == old:
            continue
        group = {key, *(c for c in companions if c in incoming)}
        (take if new < old else keep).update(group)
    return take, keep
