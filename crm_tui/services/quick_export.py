"""Provides `crm list` / `crm query` / `crm show` as JSON or CSV without Typer or SQLAlchemy
(issue 20: 0.9-1.3 s on the full path, nearly all of it imports): every field of the
stored rows as cli/output.py's display_rows(..., "json"|"csv") gives them (ISO dates, UTC
times with Z, floats without noise, the customer's name), streamed as emit_batches writes.

tests/speed/test_quick_export.py compares both paths' output byte for byte.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crm_tui.domain.dates import Clock
from crm_tui.domain.list_columns import EXPORT_HIDDEN, export_columns
from crm_tui.services.quick import QuickUnavailable
from crm_tui.services.quick_list import Listing, _compile, _open, _order, _spec
from crm_tui.services.quick_table import csv_text, plain
from crm_tui.storage import plain_filter, plain_records, plain_rows

HIDDEN = EXPORT_HIDDEN


def wire_rows(
    conn: sqlite3.Connection, entity: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """display_rows(..., "json") of stored rows: every field in the model's order (id and
    the registry's first), values as JSON carries them, `customer` when a row links one."""
    from crm_tui.domain.fields import ENTITIES, to_wire

    spec = ENTITIES[entity]
    customer_ids = {r.get("customer_id") for r in rows} - {None}
    names = plain_rows.titles_of(conn, "customer", "name", customer_ids)
    out = []
    for row in rows:
        dumped = plain_records.typed(entity, row)
        order = ["id", *spec.field_names, *dumped]
        data = {
            k: plain(to_wire(dumped[k]))
            for k in dict.fromkeys(order)
            if k in dumped and k not in HIDDEN
        }
        if customer_ids:
            data["customer"] = names.get(data.get("customer_id") or "")
        out.append(data)
    return out


def records(
    path: Path,
    clock: Clock,
    entity_name: str,
    text: str,
    fmt: str,
    *,
    limit: int | None,
    sort: str | None = None,
) -> Listing:
    """What `crm list|query KIND TEXT --format json|csv [--limit N] [--sort S]` prints:
    every match unless `limit` (no cap: a file or a pipe gets all)."""
    spec = _spec(entity_name)
    order = _order(spec.name, sort)
    conn = _open(path)
    try:
        filter_ = _compile(conn, clock, spec.name, text)
        batches = plain_rows.select_rows(conn, filter_, order, limit=limit)
        first = next(batches, [])
    except (sqlite3.Error, plain_filter.Unsupported) as exc:
        conn.close()
        raise QuickUnavailable(str(exc)) from exc
    fields = [name for name, _ in plain_records.model_columns()[spec.name]]
    columns = export_columns(spec, fields)
    return Listing(_stream(conn, spec.name, fmt, first, batches, columns), None)


def _stream(
    conn: sqlite3.Connection,
    entity: str,
    fmt: str,
    first: list[dict[str, Any]],
    batches: Iterator[list[dict[str, Any]]],
    columns: list[str],
) -> Iterator[str]:
    """emit_batches' output, batch by batch (JSON rows indented inside one list; CSV with
    `columns`, the same header whatever matched)."""
    printed = 0
    try:
        if fmt == "json":
            yield "["
        for batch in _chain(first, batches):
            rows = wire_rows(conn, entity, batch)
            if not rows:
                continue
            if fmt == "json":
                parts = []
                for row in rows:
                    text = json.dumps(row, ensure_ascii=False, indent=2, default=str)
                    parts.append((",\n" if printed else "\n") + "  " + text.replace("\n", "\n  "))
                    printed += 1
                yield "".join(parts)
                continue
            yield csv_text(rows, columns, header=printed == 0)
            printed += len(rows)
        if fmt == "json":
            yield "\n]\n" if printed else "]\n"
        elif printed == 0:
            yield csv_text([], columns, header=True)
    finally:
        conn.close()


def _chain(
    first: list[dict[str, Any]], batches: Iterator[list[dict[str, Any]]]
) -> Iterator[list[dict[str, Any]]]:
    yield first
    yield from batches
