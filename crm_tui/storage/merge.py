"""Provides `merge_pulled`: the one function that decides what a pulled row becomes on this
laptop (values, field clocks, deletion, unknown fields kept), whichever path persists it.

The server's snapshot is the base; this laptop's pending outbox changes of the row are laid
back over it field by field where their clock is newer (they have not reached the server
yet, and will win there too). Conflicts are decided by the server and reported in its push
answers (sync_store.apply_push_results), so a pull never makes one. `Repository.apply_remote`
(ORM, one row) and `pull_store` (bulk executemany) only persist the result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from crm_tui.domain.field_clocks import ALL, clock_of, one_clock_json, tidy
from crm_tui.domain.fields import ENTITIES, SYNC_COLUMNS
from crm_tui.domain.merge_rules import earliest_first


@dataclass(frozen=True)
class Shape:
    """What one entity's table needs to turn wire values into stored ones."""

    table: str
    columns: frozenset[str]
    not_null: frozenset[str]
    kinds: dict[str, str]  # field -> kind, for fields that are columns
    has_sort_key: bool
    datetimes: tuple[str, ...] = ()  # fields whose wire text is stored differently
    bools: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # fields whose column is NOT NULL


@cache
def shape(entity: str) -> Shape:
    from crm_tui.domain.models import MODELS

    spec = ENTITIES[entity]
    table = MODELS[entity].__table__  # type: ignore[attr-defined]
    columns = frozenset(c.name for c in table.c)
    kinds = {f.name: f.kind for f in spec.fields if f.name in columns}
    return Shape(
        table=spec.table,
        columns=columns,
        not_null=frozenset(c.name for c in table.c if not c.nullable),
        kinds=kinds,
        has_sort_key="sort_key" in columns,
        datetimes=tuple(n for n, k in kinds.items() if k == "datetime"),
        bools=tuple(n for n, k in kinds.items() if k == "bool"),
        required=tuple(n for n in kinds if not table.c[n].nullable),
    )


@dataclass
class Merged:
    """A pulled row as this laptop keeps it, in wire values (the persisting path turns them
    into stored ones)."""

    fields: dict[str, Any]  # known columns only; None only where the column allows it
    extra: dict[str, Any]  # fields this client version does not know: kept, not lost
    field_hlc: dict[str, str]
    deleted: bool
    owner_id: str | None
    created_at: Any = None
    updated_at: Any = None
    overlaid: set[str] = field(default_factory=set)  # fields a pending change put back


def _pending_items(change: Mapping[str, Any]) -> dict[str, Any]:
    kind = change["kind"]
    if kind == "delete":
        return {"deleted": True}
    if kind == "restore":
        return {"deleted": False}
    if kind == "command":
        return dict(change["payload"].get("fields") or {})
    return {k: v for k, v in change["payload"].items() if k not in SYNC_COLUMNS}


def merge_pulled(
    entity: str,
    data: Mapping[str, Any],
    pending: Sequence[Mapping[str, Any]] = (),
    *,
    old_extra: Mapping[str, Any] | None = None,
) -> Merged:
    """The row to keep for a server snapshot `data` (fields, owner_id, deleted, field_hlc,
    created_at, updated_at) given this laptop's pending changes of it (oldest first:
    {kind, payload, hlc}) and the unknown fields it already kept (`old_extra`).

    Without pending changes (nearly every pulled row) `fields` and `field_hlc` may be the
    snapshot's own dicts, not copies: callers read them, never change them. `field_hlc` may
    be compact ("*": the clock of every field not named; domain/field_clocks.py) or full."""
    sh = shape(entity)
    kinds = sh.kinds
    sent: Mapping[str, Any] = data.get("fields") or {}
    extra: dict[str, Any] = dict(old_extra or {})
    if sent.keys() <= kinds.keys():  # every field known to this client version: as sent
        known: dict[str, Any] = dict(sent) if pending else sent  # type: ignore[assignment]
    else:
        known = {name: raw for name, raw in sent.items() if name in kinds}
        extra.update((name, raw) for name, raw in sent.items() if name not in kinds)
    clocks: dict[str, str] = data.get("field_hlc") or {}
    if pending:
        clocks = dict(clocks)
    deleted = bool(data.get("deleted"))
    overlaid: set[str] = set()
    for change in pending:
        items = _pending_items(change)
        # An earlier check-in waiting here wins over the server's later one, and the other
        # way round, whatever the clocks (domain/merge_rules.py; the server does the same).
        take, keep = earliest_first(entity, known, items)
        for name, raw in items.items():
            if name in keep:
                continue
            if name in take or change["hlc"] > clock_of(clocks, name):
                clocks[name] = max(change["hlc"], clock_of(clocks, name))
                if name == "deleted":
                    deleted = bool(raw)
                    overlaid.add(name)
                elif name in kinds:
                    known[name] = raw
                    overlaid.add(name)
    if pending:
        tidy(clocks)
    # A NULL for a NOT NULL column keeps what is there (or the column default).
    fields = known
    if any(known.get(name, 0) is None for name in sh.required):
        fields = {k: v for k, v in known.items() if v is not None or k not in sh.not_null}
    return Merged(
        fields=fields,
        extra=extra,
        field_hlc=clocks,
        deleted=deleted,
        owner_id=data.get("owner_id"),
        created_at=data.get("created_at") or None,
        updated_at=data.get("updated_at") or None,
        overlaid=overlaid,
    )


def clocks_json(clocks: Mapping[str, str] | None) -> str:
    """A merged row's clocks as stored here (both persisting paths): a full map whose
    entries all share one clock (a record not edited since it was made, from a server that
    sends full maps) is kept as {"*": clock} (domain/field_clocks.py)."""
    if not clocks:
        return "{}"
    if len(clocks) == 1:
        only = clocks.get(ALL)
        if only is not None:
            return one_clock_json(only)
    elif ALL not in clocks and len(set(clocks.values())) == 1:
        return one_clock_json(next(iter(clocks.values())))
    return json.dumps(clocks)


def extra_json(extra: Mapping[str, Any]) -> str:
    return json.dumps(dict(extra), ensure_ascii=False) if extra else "{}"


class PulledRow:
    """What `after_write` reads of a record (its fields, `model_dump()`), without building
    an ORM instance per pulled row (that cost a quarter of applying a customer page)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self._values = values

    def model_dump(self) -> dict[str, Any]:
        return dict(self._values)
