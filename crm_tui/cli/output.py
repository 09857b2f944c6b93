"""Provides how commands print records: the list columns, display rows, tables, JSON, CSV.

Shared by `crm list`, `crm query`, `crm show` and the other commands, so no command module
reaches into another's private helpers.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

import typer

from crm_tui.cli.context import fail
from crm_tui.domain.list_columns import EXPORT_HIDDEN
from crm_tui.services.book import Book
from crm_tui.services.quick_table import csv_text, plain, plain_table

FORMATS = ("table", "json", "csv")
FORMAT_HELP = "Output format: table, json or csv."

HIDDEN_IN_JSON = EXPORT_HIDDEN  # domain/list_columns.py


def list_columns(entity: str) -> list[str]:
    """The table columns of `crm list ENTITY` (domain/list_columns.py, as the quick path)."""
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.domain.list_columns import list_columns as columns_of

    return columns_of(ENTITIES[entity])


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> None:
    if fmt not in allowed:
        fail(f"--format: '{fmt}' is not one of {', '.join(allowed)}")


_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def shorten_ids(book: Book, lines: list[str]) -> list[str]:
    """Lines with every full id replaced by its short id (unique in the book)."""
    from crm_tui.services.short_ids import short_ids

    shorts = short_ids(book, (m.group(0) for line in lines for m in _UUID.finditer(line)))
    return [_UUID.sub(lambda m: shorts.get(m.group(0), m.group(0)), line) for line in lines]


def stdout_is_terminal() -> bool:
    """Whether a person reads stdout (a table there may cap its rows); a pipe gets all."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _table_value(book: Book, spec: Any, data: dict, name: str, value: Any) -> Any:
    from datetime import datetime

    from crm_tui.domain.money import format_money

    fspec = spec.by_name.get(name)
    if fspec and fspec.kind == "money" and value is not None:
        return format_money(value, data.get("currency") or "CNY")
    if isinstance(value, datetime):
        local = book.clock.to_local(value)
        all_day = data.get("all_day") and name == "due_at"
        # The year padded by hand: strftime writes year 1 as "1" on Linux.
        day = f"{local.year:04d}-{local:%m-%d}"
        return day if all_day else f"{day} {local:%H:%M}"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return value


def display_rows(book: Book, entity: str, records: list[Any], fmt: str) -> list[dict]:
    """Rows for output: raw model fields for json/csv, human values for the table (short
    ids unique in the book, team members' names, minutes not microseconds, no `deleted`
    flag)."""
    from crm_tui.domain.fields import ENTITIES, to_wire
    from crm_tui.domain.list_columns import ref_columns
    from crm_tui.domain.member_fields import ids_in, member_fields, named
    from crm_tui.services import records as record_service
    from crm_tui.services.short_ids import short_ids

    spec = ENTITIES[entity]
    customer_ids = {getattr(r, "customer_id", None) for r in records} - {None}
    names = record_service.names_of(book, "customer", customer_ids)
    shorts = short_ids(book, (r.id for r in records)) if fmt == "table" else {}
    dumps = [rec.model_dump() for rec in records]
    # A table names team members (an owner, an engineer, recipients); json/csv keep ids.
    members = member_fields(entity) if fmt == "table" else frozenset()
    people = record_service.names_of(book, "user", ids_in(entity, dumps)) if members else {}
    # Other references a table shows by the title of the record they name (contract, campaign)
    refs = ref_columns(spec, list_columns(entity)) if fmt == "table" else {}
    refs.pop("customer", None)
    titles = {
        column: record_service.names_of(book, target, (d.get(field) for d in dumps))
        for column, (field, target) in refs.items()
    }
    rows = []
    for rec, dumped in zip(records, dumps, strict=True):
        # id, then the entity's fields, then the rest in the model's order (a loaded row's
        # own key order depends on how it was read: two runs printed them differently)
        order = ["id", *spec.field_names, *type(rec).model_fields, *dumped]
        data = {
            k: dumped[k] for k in dict.fromkeys(order) if k in dumped and k not in HIDDEN_IN_JSON
        }
        if fmt == "table":
            data.pop("deleted", None)
            for name, value in list(data.items()):
                if name in members:
                    data[name] = named(value, people)
                else:
                    data[name] = _table_value(book, spec, data, name, value)
            data["id"] = shorts.get(rec.id, rec.id)
            data["customer"] = names.get(data.get("customer_id") or "", "")
            for column, (field, _target) in refs.items():
                data[column] = titles[column].get(dumped.get(field) or "", "")
        else:
            data = {k: plain(to_wire(v)) for k, v in data.items()}
            if customer_ids:
                data["customer"] = names.get(data.get("customer_id") or "")
        rows.append(data)
    return rows


def emit_records(book: Book, entity: str, records: list[Any], fmt: str) -> None:
    """Print records as `crm list` and `crm query` do (the list columns in a table; every
    field in JSON and CSV)."""
    emit_batches(book, entity, [records], fmt)


def emit_batches(
    book: Book, entity: str, batches: Iterable[list[Any]], fmt: str, *, footer: str | None = None
) -> int:
    """Print records batch by batch (JSON and CSV stream; a table is aligned per batch of
    500); `footer` goes to stderr after a table. Returns how many rows were printed."""
    printed = 0
    columns: list[str] | None = None
    if fmt == "json":
        sys.stdout.write("[")
    for batch in batches:
        rows = display_rows(book, entity, batch, fmt)
        if not rows:
            continue
        if fmt == "json":
            for row in rows:
                sys.stdout.write(",\n" if printed else "\n")
                text = json.dumps(row, ensure_ascii=False, indent=2, default=str)
                sys.stdout.write("  " + text.replace("\n", "\n  "))
                printed += 1
            continue
        if columns is None:
            columns = list_columns(entity) if fmt == "table" else _export_columns(entity)
        if fmt == "csv":
            _write_csv(rows, columns, header=printed == 0)
        elif stdout_is_terminal():
            emit(rows, columns, "table", header=printed == 0)
        else:
            _write_plain_table(rows, columns, header=printed == 0)
        printed += len(rows)
    if fmt == "json":
        sys.stdout.write("\n]\n" if printed else "]\n")
    elif printed == 0 and fmt == "csv":
        _write_csv([], _export_columns(entity), header=True)
    elif printed == 0:
        emit([], list_columns(entity), "table")
    sys.stdout.flush()
    if footer and fmt == "table":
        typer.echo(footer, err=True)
    return printed


def _export_columns(entity: str) -> list[str]:
    """CSV columns: the same header whatever matched (domain/list_columns.py)."""
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.domain.list_columns import export_columns
    from crm_tui.domain.models import MODELS

    return export_columns(ENTITIES[entity], MODELS[entity].model_fields)


def _write_plain_table(
    rows: list[dict[str, Any]],
    columns: list[str],
    *,
    header: bool,
    titles: dict[str, str] | None = None,
) -> None:
    """A table for a pipe, aligned per batch; every column kept, ids never cut."""
    sys.stdout.write(plain_table(rows, columns, header=header, titles=titles))


def _write_csv(rows: list[dict[str, Any]], columns: list[str], *, header: bool = True) -> None:
    sys.stdout.write(csv_text(rows, columns, header=header))


def emit(
    rows: list[dict[str, Any]],
    columns: list[str],
    fmt: str,
    titles: dict[str, str] | None = None,
    *,
    header: bool = True,
) -> None:
    """Print rows as an aligned table (CJK-aware), JSON (model field names) or CSV."""
    if fmt == "json":
        rows = [{k: plain(v) for k, v in row.items()} for row in rows]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        _write_csv(rows, columns)
    elif fmt == "table":
        # One aligned table for a terminal and a pipe alike: rich drops whole columns (the
        # id first) when they do not fit the width; this keeps every column and whole ids.
        if rows or header:
            _write_plain_table(rows, columns, header=header, titles=titles)
    else:
        fail(f"--format: '{fmt}' is not one of table, json, csv")
