"""Provides the server's one merge: what a create, patch, delete or restore does to a row's
values and clocks (pure: no I/O).

`decide` is the only place that chooses: per-field last-writer-wins on hybrid clocks, the
tombstone as a field, and a patch that reaches a deleted row (not applied: every field it
carried is reported as lost to the delete). Both persistence paths (the batch `Row` and the
ORM `Record`) call it and then only store what it returns (crud/write.py).

A field takes the incoming value when its clock is newer. Clocks may be stored full or
compact ("*": the clock of every field not named, domain/field_clocks.py); a decision
writes only the entries it changed and drops those equal to "*". The value that loses is reported,
either the incoming one (older clock) or the stored one when it was written concurrently
(after the version the laptop had seen), so the laptop keeps it in its conflict log.
When the stored value loses that way, its author (another member) is told too: the same
conflict seen from her side goes in `MergeOutcome.notices`, which the change set logs in
her `self:` partition so her next pull records it (the winner may sync after her).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm_tui.domain.field_clocks import ALL, clock_of, tidy
from crm_tui.domain.merge_rules import earliest_first
from crm_tui.sync.protocol import FieldConflict


@dataclass
class MergeOutcome:
    changed: dict[str, Any] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)
    # The patch reached a deleted row and was not applied (delete vs edit).
    lost_to_delete: bool = False
    # (user id, conflict from her side): another member's value this write overwrote.
    notices: list[tuple[str, FieldConflict]] = field(default_factory=list)


@dataclass
class Decision:
    """What a mutation does to a row: its new values, clocks and tombstone."""

    values: dict[str, Any]
    clocks: dict[str, str]
    deleted: bool
    outcome: MergeOutcome
    clocks_changed: bool = False

    @property
    def writes(self) -> bool:
        return bool(self.outcome.changed) or self.clocks_changed


def merge_fields(
    values: dict[str, Any],
    clocks: dict[str, str],
    versions: dict[str, Any],
    incoming: dict[str, Any],
    hlc: str,
    base_version: int,
    names: dict[str, str] | None = None,
    entity: str = "",
    writer: str | None = None,
) -> MergeOutcome:
    """Merge `incoming` (all stamped `hlc`) into `values`/`clocks` in place.

    `versions` maps a field to [change-log seq, user id] of its last change ("*": of every
    field not named, as a create writes it, like the clocks' "*"); `names` turns
    user ids into names for the conflict log. `entity` selects its per-field rules
    (domain/merge_rules.py: an earlier check-in wins whatever its clock). `writer`: the
    pushing user's id; a value of another member it overwrites is a notice for her.
    """
    out = MergeOutcome()
    writer_name = (names or {}).get(writer or "", writer)
    take, keep = earliest_first(entity, values, incoming) if entity else (set(), set())
    for name, value in incoming.items():
        current_hlc = clock_of(clocks, name) or None
        current = values.get(name)
        seen_version, who = (versions.get(name) or versions.get(ALL) or [0, None])[:2]
        who_name = (names or {}).get(who or "", who)
        if name in take or name in keep:
            winner = "yours" if name in take else "theirs"
            if current != value:
                out.conflicts.append(
                    FieldConflict(
                        field=name,
                        yours=value,
                        theirs=current,
                        your_hlc=hlc,
                        their_hlc=current_hlc,
                        winner=winner,
                        who=who_name,
                        reason="the earliest check-in is kept",
                    )
                )
                if name in take:
                    _notify(out, who, writer, writer_name, out.conflicts[-1])
            if name in take:
                out.changed[name] = value
                values[name] = value
            clocks[name] = max(hlc, current_hlc or "")
            continue
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
                _notify(out, who, writer, writer_name, out.conflicts[-1])
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


def _notify(
    out: MergeOutcome,
    loser: str | None,
    writer: str | None,
    writer_name: str | None,
    won: FieldConflict,
) -> None:
    """The conflict `won` (the writer's side) as its loser sees it, unless she is the writer
    (a rep replacing her own value from another laptop is not told)."""
    if not loser or not writer or loser == writer:
        return
    lost = FieldConflict(
        field=won.field,
        yours=won.theirs,
        theirs=won.yours,
        your_hlc=won.their_hlc,
        their_hlc=won.your_hlc,
        winner="theirs",
        who=writer_name,
        reason=won.reason,
    )
    out.notices.append((loser, lost))


def deleted_reason(who: str | None, when: datetime | None) -> str:
    at = f" at {when:%Y-%m-%d %H:%M} UTC" if when is not None else ""
    return f"deleted on the server by {who or 'someone'}{at}"


def decide(
    *,
    kind: str,
    values: dict[str, Any],
    deleted: bool,
    clocks: dict[str, str],
    versions: dict[str, Any],
    incoming: dict[str, Any],
    hlc: str,
    base_version: int,
    names: dict[str, str] | None = None,
    deleted_at: datetime | None = None,
    deleted_by: str | None = None,
    entity: str = "",
    writer: str | None = None,
) -> Decision:
    """The row after a patch / delete / restore (`incoming`: the patch's checked values).
    Inputs are not changed. `deleted_at` / `deleted_by`: the tombstone's last write (who
    deleted the row, for the rep's conflict entry)."""
    state = dict(values) | {"deleted": deleted}
    new_clocks = dict(clocks)
    if kind == "patch" and deleted and incoming:
        # Delete vs edit: the row stays deleted; every field of the edit is reported lost so
        # the rep sees it and may restore the row with it.
        who_name = (names or {}).get(deleted_by or "", deleted_by)
        reason = deleted_reason(who_name, deleted_at)
        conflicts = [
            FieldConflict(
                field=name,
                yours=value,
                theirs=values.get(name),
                your_hlc=hlc,
                their_hlc=clock_of(clocks, "deleted") or None,
                winner="deleted",
                who=who_name,
                reason=reason,
            )
            for name, value in incoming.items()
        ]
        return Decision(
            dict(values),
            new_clocks,
            deleted,
            MergeOutcome(conflicts=conflicts, lost_to_delete=True),
        )
    if kind == "delete":
        incoming = {"deleted": True}
    elif kind == "restore":
        incoming = {"deleted": False}
    outcome = merge_fields(
        state,
        new_clocks,
        versions,
        incoming,
        hlc,
        base_version,
        names,
        entity=entity,
        writer=writer,
    )
    now_deleted = bool(state.pop("deleted"))
    tidy(new_clocks)
    return Decision(state, new_clocks, now_deleted, outcome, clocks_changed=new_clocks != clocks)
