"""Provides CSV export with stable column names that `crm import csv` reads back losslessly.

Columns are `id`, then every registry field in order, each reference followed by the
related record's name (`customer_id`, `customer`). Money is a plain major-unit decimal
beside its currency column, dates are ISO, date-times ISO UTC ('…Z'), booleans
true/false, tags comma-joined. Files are UTF-8 with a BOM so Excel shows Chinese text.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from crm_tui.domain.fields import ENTITIES, EntitySpec, to_wire
from crm_tui.domain.money import DEFAULT_CURRENCY, to_major
from crm_tui.io.column_maps import ref_name_column

if TYPE_CHECKING:
    from crm_tui.storage.database import Database


def export_columns(entity: str) -> list[str]:
    spec = ENTITIES[entity]
    columns = ["id"]
    for f in spec.fields:
        columns.append(f.name)
        if f.kind == "ref":
            columns.append(ref_name_column(f.name))
    return columns


def matching_ids(db: Database, entity: str, query: str | None) -> set[str] | None:
    """Ids a query selects (None: no query, everything). Raises QueryError on a bad query."""
    if not query or not query.strip():
        return None
    from sqlmodel import select

    from crm_tui.domain.models import MODELS
    from crm_tui.query import compile_query
    from crm_tui.storage import filter_sql

    model = MODELS[entity]
    clauses = filter_sql.where(compile_query(entity, query, db))
    with db.reading() as s:
        stmt = select(model.id).where(filter_sql.live_rows(model), *clauses)
        return set(s.exec(stmt))


def stored_rows(db: Database, entity: str, query: str | None = None) -> Iterator[dict[str, Any]]:
    """Live records of one type as stored (SQLite text), oldest first, optionally filtered.

    The query is checked at once (QueryError), before anything is written.
    """
    return _rows(db, entity, matching_ids(db, entity, query))


def _rows(db: Database, entity: str, wanted: set[str] | None) -> Iterator[dict[str, Any]]:
    from crm_tui.storage.engine import connect

    conn = connect(db.path, readonly=True)
    conn.row_factory = sqlite3.Row
    try:
        cur = conn.execute(
            f'SELECT * FROM "{ENTITIES[entity].table}" WHERE deleted = 0 ORDER BY created_at, id'
        )
        for row in cur:
            if wanted is None or row["id"] in wanted:
                yield dict(row)
    finally:
        conn.close()


def _titles(db: Database, spec: EntitySpec) -> dict[str, dict[str, str]]:
    """id -> name of every record the references of this entity may point at."""
    from crm_tui.storage.engine import connect

    out: dict[str, dict[str, str]] = {}
    conn = connect(db.path, readonly=True)
    try:
        for f in spec.fields:
            if f.kind == "ref" and f.ref and f.ref not in out:
                target = ENTITIES[f.ref]
                out[f.ref] = dict(
                    conn.execute(
                        f'SELECT id, "{target.title_field}" FROM "{target.table}"'
                    ).fetchall()
                )
    finally:
        conn.close()
    return out


def text_row(
    spec: EntitySpec, row: dict[str, Any], titles: dict[str, dict[str, str]]
) -> dict[str, str]:
    """A stored row as the text of our CSV columns."""
    out: dict[str, str] = {"id": row["id"]}
    currency = row.get("currency") or DEFAULT_CURRENCY
    for f in spec.fields:
        value = row.get(f.name)
        if value is None:
            text = ""
        elif f.kind == "money":
            text = to_major(int(value), currency)
        elif f.kind == "datetime":
            text = to_wire(datetime.fromisoformat(str(value)))
        elif f.kind == "bool":
            text = "true" if value else "false"
        else:
            text = str(value)
        out[f.name] = text
        if f.kind == "ref":
            out[ref_name_column(f.name)] = titles.get(f.ref or "", {}).get(value or "", "")
    return out


def export_csv(db: Database, entity: str, out: IO[str], query: str | None = None) -> int:
    """Write one record type as CSV to an open text stream; returns how many rows."""
    spec = ENTITIES[entity]
    titles = _titles(db, spec)
    writer = csv.DictWriter(out, fieldnames=export_columns(entity), lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for row in stored_rows(db, entity, query):
        writer.writerow(text_row(spec, row, titles))
        count += 1
    return count
