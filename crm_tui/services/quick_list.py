"""Provides `crm list KIND [QUERY]` and `crm query KIND [QUERY]` as a table without Typer or
SQLAlchemy (issue 20: read commands ≤ 150 ms): the query compiles to the same `Filter`
(crm_tui/query), storage/plain_filter.py writes it as SQL text, and the rows print exactly
as the full command prints them (cli/records.py, cli/query.py over cli/output.py).

`QuickUnavailable` (services/quick.py) means "take the full path": a record type or option
not covered here, a query error (the full command words it), a missing or old book.
tests/speed/test_quick_list.py compares both paths' output byte for byte.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import EntitySpec
from crm_tui.services.quick import QuickUnavailable, short_ids
from crm_tui.services.quick_table import plain_table
from crm_tui.storage import plain_filter, plain_rows, quick_reads

__all__ = ["plain_table"]  # named here too: callers and tests know it from this module

TABLE_CAP = 50  # cli/matching.py: rows a table shows on a terminal without --limit


@dataclass(frozen=True)
class _Context:
    """What the query language resolves words against (crm_tui.query.QueryContext)."""

    clock: Clock
    user_id: str | None
    currency: str


@dataclass(frozen=True)
class Listing:
    """What `crm list` / `crm query` prints: stdout in chunks, and the footer for stderr."""

    chunks: Iterator[str]
    footer: str | None


def _spec(entity_name: str) -> EntitySpec:
    from crm_tui.domain.fields import entity

    try:
        spec = entity(entity_name)
    except KeyError:
        raise QuickUnavailable("unknown record type") from None
    if spec.name not in plain_rows.DEFAULT_ORDER:
        raise QuickUnavailable(f"{spec.name} is not listed on the quick path")
    return spec


def list_columns(spec: EntitySpec) -> list[str]:
    """The table columns of `crm list KIND` (domain/list_columns.py, as the full CLI)."""
    from crm_tui.domain.list_columns import list_columns as columns_of

    return columns_of(spec)


def _compile(conn: sqlite3.Connection, clock: Clock, entity: str, text: str) -> Any:
    from crm_tui.domain.money import DEFAULT_CURRENCY
    from crm_tui.query import QueryError, compile_query

    if entity == "campaign_member" and text and ":" not in text:
        raise QuickUnavailable("words may name a campaign: the full command reads them")

    user = quick_reads.state(conn, "user_id")
    context = _Context(clock, user, quick_reads.state(conn, "currency") or DEFAULT_CURRENCY)
    try:
        return compile_query(entity, text, context)
    except QueryError as exc:  # the full command says it in its own words
        raise QuickUnavailable(str(exc)) from exc


def count(path: Path, clock: Clock, entity_name: str, text: str) -> int:
    """`crm query KIND QUERY --count`: how many live records match."""
    spec = _spec(entity_name)
    conn = _open(path)
    try:
        return plain_rows.count(conn, _compile(conn, clock, spec.name, text))
    except (sqlite3.Error, plain_filter.Unsupported) as exc:
        raise QuickUnavailable(str(exc)) from exc
    finally:
        conn.close()


def _open(path: Path) -> sqlite3.Connection:
    try:
        return quick_reads.open_current(path)
    except quick_reads.NotQuick as exc:
        raise QuickUnavailable(str(exc)) from exc


def _order(entity: str, sort: str | None) -> list[tuple[str, bool]] | None:
    """(field, descending) keys of `--sort` as services/record_stream.py orders by them;
    None for the list's default order. Urgency (a refresh may be due) and errors (the full
    command words them) are for the full path."""
    if not sort:
        return None
    from crm_tui.query import QueryError, parse_sort

    try:
        parsed = parse_sort(entity, sort)
    except QueryError as exc:
        raise QuickUnavailable(str(exc)) from exc
    if parsed is None:
        return None
    if parsed.by_urgency:
        raise QuickUnavailable("most urgent first: the stored scores may need a refresh")
    return [(key.field, key.descending) for key in parsed.keys]


def table(
    path: Path,
    clock: Clock,
    entity_name: str,
    text: str,
    *,
    limit: int | None,
    terminal: bool,
    sort: str | None = None,
) -> Listing:
    """The table `crm list KIND TEXT [--limit N] [--sort S]` prints (to a terminal: at most
    TABLE_CAP rows and a footer saying how many matched, as cli/matching.py's print_matches)."""
    spec = _spec(entity_name)
    order = _order(spec.name, sort)
    conn = _open(path)
    try:
        filter_ = _compile(conn, clock, spec.name, text)
        capped = limit is None and terminal
        batches = plain_rows.select_rows(conn, filter_, order, limit=TABLE_CAP if capped else limit)
        first = next(batches, [])
        footer = None
        if capped and len(first) >= TABLE_CAP:
            total = plain_rows.count(conn, filter_)
            if total > TABLE_CAP:
                footer = f"{TABLE_CAP:,} of {total:,} shown (--limit N)"
        first_chunk = _chunk(conn, clock, spec, first, header=True)
    except (sqlite3.Error, plain_filter.Unsupported) as exc:
        conn.close()
        raise QuickUnavailable(str(exc)) from exc
    return Listing(_chunks(conn, clock, spec, first_chunk, bool(first), batches), footer)


def _chunks(
    conn: sqlite3.Connection,
    clock: Clock,
    spec: EntitySpec,
    first: str,
    printed: bool,
    batches: Iterator[list[dict[str, Any]]],
) -> Iterator[str]:
    try:
        yield first
        for batch in batches:  # aligned per batch of 500, as the full command does
            yield _chunk(conn, clock, spec, batch, header=not printed)
            printed = printed or bool(batch)
    finally:
        conn.close()


def _chunk(
    conn: sqlite3.Connection,
    clock: Clock,
    spec: EntitySpec,
    rows: list[dict[str, Any]],
    *,
    header: bool,
) -> str:
    columns = list_columns(spec)
    if not rows:
        return plain_table([], columns) if header else ""
    return plain_table(display_rows(conn, clock, spec, rows), columns, header=header)


def display_rows(
    conn: sqlite3.Connection, clock: Clock, spec: EntitySpec, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """cli/output.py's table rows: short ids, local minutes, money with its currency, the
    customer's name, team members' names; only the columns a table shows."""
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.domain.list_columns import ref_columns
    from crm_tui.domain.member_fields import ids_in, member_fields, named
    from crm_tui.domain.money import format_money

    columns = list_columns(spec)
    # Other references show the title of the record they name (contract, campaign).
    refs = ref_columns(spec, columns)
    refs.pop("customer", None)
    titles = {
        column: plain_rows.titles_of(
            conn,
            ENTITIES[target].table,
            ENTITIES[target].title_field,
            (r.get(field) for r in rows),
        )
        for column, (field, target) in refs.items()
    }
    names = plain_rows.titles_of(conn, "customer", "name", (r.get("customer_id") for r in rows))
    shorts = short_ids(conn, [r["id"] for r in rows])
    members = member_fields(spec.name).intersection(columns)
    people = plain_rows.titles_of(conn, "user", "name", ids_in(spec.name, rows)) if members else {}
    out = []
    for row in rows:
        data: dict[str, Any] = {}
        for name in columns:
            fspec = spec.by_name.get(name)
            value = row.get(name)
            if name in members:
                data[name] = named(value, people)
            elif fspec is None or value is None:
                data[name] = value
            elif fspec.kind == "money":
                data[name] = format_money(int(value), row.get("currency") or "CNY")
            elif fspec.kind == "datetime":
                all_day = bool(row.get("all_day")) and name == "due_at"
                data[name] = _local(clock, value, all_day)
            elif fspec.kind == "bool":
                data[name] = bool(value)
            else:
                data[name] = value
        data["id"] = shorts.get(row["id"], row["id"])
        data["customer"] = names.get(row.get("customer_id") or "", "")
        for column, (field, _target) in refs.items():
            data[column] = titles[column].get(row.get(field) or "", "")
        out.append(data)
    return out


def _local(clock: Clock, stored: str, all_day: bool) -> str:
    local = clock.to_local(datetime.fromisoformat(stored))
    day = f"{local.year:04d}-{local:%m-%d}"  # the year padded by hand, as cli/output.py
    return day if all_day else f"{day} {local:%H:%M}"
