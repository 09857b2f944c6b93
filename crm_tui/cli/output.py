"""Provides how commands print records: the list columns, display rows, tables, JSON, CSV.

Shared by `crm list`, `crm query`, `crm show` and the other commands, so no command module
reaches into another's private helpers.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any

import typer

from crm_tui.cli.context import fail
from crm_tui.services.book import Book

FORMATS = ("table", "json", "csv")
FORMAT_HELP = "Output format: table, json or csv."

# Columns of `crm list`, per entity, in the order a rep scans them.
LIST_COLUMNS: dict[str, list[str]] = {
    "customer": ["id", "name", "city", "status", "grade", "phone", "email", "tags"],
    "contact": ["id", "name", "customer", "title", "mobile", "phone", "email"],
    "activity": ["id", "due_at", "kind", "subject", "customer", "done_at", "outcome"],
    "opportunity": ["id", "title", "customer", "stage", "amount", "probability", "expected_close"],
    "opportunity_line": ["id", "opportunity_id", "product", "model", "unit_price", "quantity"],
    "expense": ["id", "spent_on", "category", "amount", "status", "description", "customer"],
    "announcement": ["id", "published_at", "title"],
    "competitor": ["id", "name", "strengths", "weaknesses"],
    "saved_query": ["id", "screen", "name", "query", "pinned", "key"],
    "lost_reason": ["id", "name"],
    "user": ["id", "name", "email", "role"],
    "product": ["id", "code", "name", "model", "unit", "list_price", "active"],
    "quote": ["id", "title", "revision", "status", "total", "valid_until"],
    "contract": ["id", "number", "title", "status", "amount", "signed_on"],
    "payment_plan": ["id", "contract_id", "label", "due_on", "amount", "paid", "settled_on"],
    "payment": ["id", "contract_id", "received_on", "amount", "method", "status"],
}
HIDDEN_IN_JSON = {"field_hlc", "extra", "sort_key", "server_version"}


def list_columns(entity: str) -> list[str]:
    """The table columns of `crm list ENTITY`: chosen ones, else the id and first fields."""
    from crm_tui.domain.fields import ENTITIES

    return LIST_COLUMNS.get(entity) or ["id", *ENTITIES[entity].field_names[:6]]


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> None:
    if fmt not in allowed:
        fail(f"--format: '{fmt}' is not one of {', '.join(allowed)}")


def display_rows(book: Book, entity: str, records: list[Any], fmt: str) -> list[dict]:
    """Rows for output: raw model fields for json/csv, human values for the table."""
    from crm_tui.domain.fields import ENTITIES, to_wire
    from crm_tui.domain.money import format_money
    from crm_tui.services import records as record_service

    spec = ENTITIES[entity]
    customer_ids = {getattr(r, "customer_id", None) for r in records} - {None}
    names = record_service.names_of(book, "customer", customer_ids)
    rows = []
    for rec in records:
        dumped = rec.model_dump()
        order = ["id", *spec.field_names, *dumped]  # id, then the entity's fields, then sync
        data = {
            k: dumped[k] for k in dict.fromkeys(order) if k in dumped and k not in HIDDEN_IN_JSON
        }
        if fmt == "table":
            for name, value in list(data.items()):
                fspec = spec.by_name.get(name)
                if fspec and fspec.kind == "money" and value is not None:
                    data[name] = format_money(value, data.get("currency") or "CNY")
                elif fspec and fspec.kind == "datetime" and value is not None:
                    local = book.clock.to_local(value)
                    all_day = data.get("all_day") and name == "due_at"
                    # The year padded by hand: strftime writes year 1 as "1" on Linux.
                    day = f"{local.year:04d}-{local:%m-%d}"
                    data[name] = day if all_day else f"{day} {local:%H:%M}"
                elif name == "id":
                    data[name] = value[:8]
            data["customer"] = names.get(data.get("customer_id") or "", "")
        else:
            data = {k: to_wire(v) for k, v in data.items()}
            if customer_ids:
                data["customer"] = names.get(data.get("customer_id") or "")
        rows.append(data)
    return rows


def emit_records(book: Book, entity: str, records: list[Any], fmt: str) -> None:
    """Print records as `crm list` and `crm query` do (the list columns in a table; every
    field in JSON and CSV)."""
    rows = display_rows(book, entity, records, fmt)
    columns = (
        list_columns(entity)
        if fmt == "table"
        else (list(rows[0].keys()) if rows else list_columns(entity))
    )
    emit(rows, columns, fmt)


def emit(
    rows: list[dict[str, Any]], columns: list[str], fmt: str, titles: dict[str, str] | None = None
) -> None:
    """Print rows as an aligned table (CJK-aware), JSON (model field names) or CSV."""
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
        sys.stdout.write(buf.getvalue())
    elif fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold")
        for name in columns:
            table.add_column(
                (titles or {}).get(name, name), overflow="ellipsis", no_wrap=True, max_width=40
            )
        for row in rows:
            table.add_row(*("" if row.get(k) is None else str(row.get(k)) for k in columns))
        Console(width=max(120, Console().width), soft_wrap=False).print(table)
    else:
        fail(f"--format: '{fmt}' is not one of table, json, csv")
