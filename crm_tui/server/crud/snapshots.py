"""Provides a record's wire snapshot: the JSON a change-log row and a push answer carry
(values, owner, tombstone, field clocks, version), built around the row's stored JSON.

The change log keeps the clocks as stored (compact: domain/field_clocks.py); `full_clocks`
writes each "*" out for a laptop of an earlier release, and a push answer is always full.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from crm_tui.domain.field_clocks import ALL, expand
from crm_tui.domain.fields import to_wire


@functools.lru_cache(maxsize=4096)
def js(value: str | None) -> str:
    """`json.dumps(value)` of a field name, user id or clock, kept (they repeat per row)."""
    return json.dumps(value)


def snapshot_json(rec: Any) -> str:
    """`json.dumps(snapshot(rec))` of a `Record` or batch `Row`, built around the row's stored
    JSON (not parsed again)."""
    created = json.dumps(to_wire(rec.created_at))
    # A new row's two times are one value: written once.
    updated = created if rec.updated_at is rec.created_at else json.dumps(to_wire(rec.updated_at))
    return (
        f'{{"fields": {rec.data}, "owner_id": {js(rec.owner_id)}, '
        f'"deleted": {"true" if rec.deleted else "false"}, "field_hlc": {rec.field_hlc}, '
        f'"created_at": {created}, "updated_at": {updated}, "version": {int(rec.version)}}}'
    )


def full_clocks(data: str) -> str:
    """A stored snapshot (`snapshot_json`) with its field clocks expanded for a laptop that
    does not read the compact form: "*" written out for every field and "deleted"
    (domain/field_clocks.py). Old full maps pass through unchanged."""
    if '"*"' not in data:
        return data
    snap = json.loads(data)
    clocks = snap.get("field_hlc")
    if not isinstance(clocks, dict) or ALL not in clocks:
        return data
    snap["field_hlc"] = expand(clocks, [*(snap.get("fields") or {}), "deleted"])
    return json.dumps(snap, ensure_ascii=False)


def snapshot(rec: Any) -> dict[str, Any]:
    """The row as the wire carries it: values, owner, tombstone, clocks (full: a push answer
    goes to laptops of every release), version."""
    fields = json.loads(rec.data)
    return {
        "fields": fields,
        "owner_id": rec.owner_id,
        "deleted": rec.deleted,
        "field_hlc": expand(json.loads(rec.field_hlc), [*fields, "deleted"]),
        "created_at": to_wire(rec.created_at),
        "updated_at": to_wire(rec.updated_at),
        "version": rec.version,
    }
