"""Provides the pulled rows as stored: a wire change turned into the stored row (values as
SQLAlchemy writes them, without building ORM objects; merge.py decides the values), and the
parents a pulled row references that this laptop does not have yet.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from crm_tui.storage.merge import Shape, clocks_json, merge_pulled
from crm_tui.storage.merge import extra_json as merge_extra_json
from crm_tui.storage.parking import PulledChange

if TYPE_CHECKING:
    import sqlite3


def stored_datetime(value: Any) -> str:
    """A wire datetime ('2026-11-23T09:30:00.123456Z', any offset) as SQLite stores it:
    naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff', the text SQLAlchemy writes."""
    text = str(value)
    if text.endswith("Z") and len(text) == 27 and text[10] == "T":
        return f"{text[:10]} {text[11:26]}"
    if text.endswith("Z") and len(text) == 20 and text[10] == "T":
        return f"{text[:10]} {text[11:19]}.000000"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def row(shape: Shape, change: PulledChange, extra_json: str | None) -> dict[str, Any]:
    """The stored row for a pulled change with no pending local edit (merge.py decides it)."""
    data = change.data or {}
    merged = merge_pulled(
        change.entity, data, old_extra=json.loads(extra_json) if extra_json else None
    )
    row: dict[str, Any] = {"id": change.row_id}
    row.update(merged.fields)
    # Only datetimes (naive UTC text) and bools (0/1) are stored other than as sent, so
    # only they are looked at: a follow-up has 4 of them among ~15 fields.
    for name in shape.datetimes:
        value = row.get(name)
        if value is not None:
            if type(value) is str and len(value) == 27 and value[10] == "T" and value[26] == "Z":
                row[name] = f"{value[:10]} {value[11:26]}"  # stored_datetime's common case
            else:
                row[name] = stored_datetime(value)
    for name in shape.bools:
        value = row.get(name)
        if value is not None:
            row[name] = int(bool(value))
    row["owner_id"] = merged.owner_id
    row["deleted"] = 1 if merged.deleted else 0
    row["field_hlc"] = clocks_json(merged.field_hlc)
    row["server_version"] = change.seq
    row["extra"] = merge_extra_json(merged.extra)
    for key, value in (("created_at", merged.created_at), ("updated_at", merged.updated_at)):
        if value:
            if type(value) is str and len(value) == 27 and value[10] == "T" and value[26] == "Z":
                row[key] = f"{value[:10]} {value[11:26]}"  # stored_datetime's common case
            else:
                row[key] = stored_datetime(value)
    if shape.has_sort_key and row.get("name"):
        from crm_tui.storage.bulk import sort_key

        row["sort_key"] = sort_key(row["name"])
    return row


_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def check_storable(shape: Shape, change: PulledChange) -> None:
    """Raise (ValueError, OverflowError…) if the change's row cannot be stored in SQLite."""
    for name, value in row(shape, change, None).items():
        if type(value) is int and not _INT_MIN <= value <= _INT_MAX:
            raise OverflowError(f"{name}: {value} is past SQLite's INTEGER range")
        if type(value) is float and value != value:  # NaN
            raise ValueError(f"{name}: not a number")


@cache
def _references(entity: str) -> tuple[tuple[str, str], ...]:
    """(column, parent table) of each foreign key of an entity's table."""
    from crm_tui.domain.models import MODELS

    table = MODELS[entity].__table__  # type: ignore[attr-defined]
    return tuple(
        (c.name, fk.column.table.name) for c in table.c for fk in c.foreign_keys if c.foreign_keys
    )


def missing_parents(
    conn: sqlite3.Connection, changes: Sequence[PulledChange], incoming: set[str]
) -> dict[str, str]:
    """row_id -> a parent id it references that is neither on this laptop nor arriving."""
    wanted: dict[str, set[str]] = defaultdict(set)
    refs: list[tuple[str, str, str]] = []
    for change in changes:
        if change.op != "upsert" or not change.data:
            continue
        fields = change.data.get("fields") or {}
        for column, parent in _references(change.entity):
            value = fields.get(column)
            if isinstance(value, str) and value not in incoming:
                wanted[parent].add(value)
                refs.append((change.row_id, parent, value))
    if not refs:
        return {}
    present: set[str] = set()
    for parent, ids in wanted.items():
        present.update(
            r[0]
            for r in conn.execute(
                f'SELECT id FROM "{parent}" WHERE id IN (SELECT value FROM json_each(?))',
                (json.dumps(list(ids)),),
            )
        )
    missing: dict[str, str] = {}
    for row_id, _parent, value in refs:
        if value not in present:
            missing.setdefault(row_id, value)
    return missing
