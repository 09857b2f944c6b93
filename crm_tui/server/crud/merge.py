"""Provides the per-field last-writer-wins merge on hybrid clocks (pure: no I/O).

A field takes the incoming value when its clock is newer. The value that loses is reported,
either the incoming one (older clock) or the stored one when it was written concurrently
(after the version the laptop had seen), so the laptop keeps it in its conflict log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm_tui.sync.protocol import FieldConflict


@dataclass
class MergeOutcome:
    changed: dict[str, Any] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)


def merge_fields(
    values: dict[str, Any],
    clocks: dict[str, str],
    versions: dict[str, Any],
    incoming: dict[str, Any],
    hlc: str,
    base_version: int,
    names: dict[str, str] | None = None,
) -> MergeOutcome:
    """Merge `incoming` (all stamped `hlc`) into `values`/`clocks` in place.

    `versions` maps a field to [change-log seq, user id] of its last change; `names` turns
    user ids into names for the conflict log.
    """
    out = MergeOutcome()
    for name, value in incoming.items():
        current_hlc = clocks.get(name)
        current = values.get(name)
        seen_version, who = (versions.get(name) or [0, None])[:2]
        who_name = (names or {}).get(who or "", who)
        if current_hlc is None or hlc > current_hlc:
            # The same laptop's own earlier edit (same clock node) is not a concurrent one.
            concurrent = (
                current_hlc is not None
                and seen_version > base_version
                and current_hlc.split("-", 2)[-1] != hlc.split("-", 2)[-1]
            )
            if concurrent and current != value:
                out.conflicts.append(
                    FieldConflict(
                        field=name,
                        yours=value,
                        theirs=current,
                        your_hlc=hlc,
                        their_hlc=current_hlc,
                        winner="yours",
                        who=who_name,
                    )
                )
            if current != value or name not in values:
                out.changed[name] = value
            values[name] = value
            clocks[name] = hlc
        elif hlc < current_hlc and current != value:
            out.conflicts.append(
                FieldConflict(
                    field=name,
                    yours=value,
                    theirs=current,
                    your_hlc=hlc,
                    their_hlc=current_hlc,
                    winner="theirs",
                    who=who_name,
                )
            )
    return out
