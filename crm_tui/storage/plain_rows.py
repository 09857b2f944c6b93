"""Provides plain-sqlite3 reads of records for the CLI's quick read commands (issue 20):
rows under a `Filter` (storage/plain_filter.py) in a list's order, their count, and the
titles of linked records. No SQLAlchemy; a book opened with quick_reads.open_current.

Rows come back as dicts of the table's columns, values as SQLite stores them; the caller
turns them into the ORM's Python values (services/quick_list.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `crm show` reads titles here without the query machinery
    from crm_tui.domain.filter import Filter

# The repositories' `default_order` (storage/repositories.py and repos_*.py) of the record
# types the quick path lists; each ends in `id`, so the order is total (a test checks them).
DEFAULT_ORDER: dict[str, tuple[str, ...]] = {
    "customer": ("sort_key", "id"),
    "contact": ("sort_key", "id"),
    "activity": ("due_at", "id"),
    "opportunity": ("expected_close", "id"),
    "expense": ("spent_on", "id"),
    "announcement": ("published_at", "id"),
    "competitor": ("name", "id"),
    "product": ("name", "id"),
    "contract": ("signed_on", "id"),
    "payment_plan": ("due_on", "id"),
    "payment": ("received_on", "id"),
    "campaign": ("starts_on", "id"),
    "campaign_member": ("campaign_id", "sort_key", "id"),
    "partner": ("name", "id"),
    "pool_rule": ("grade", "id"),
    "checkin": ("checked_in_at", "id"),
    "target": ("month", "user_id", "id"),
    "service": ("planned_start", "id"),
    "service_plan": ("starts_on", "id"),
    "work_report": ("period_start", "id"),
    "report_rule": ("kind", "id"),
    "contact_log": ("at", "id"),
    "folder": ("name", "id"),
    "attachment": ("name", "id"),
    "kb_article": ("title", "id"),
    "kb_question": ("created_at", "id"),
    "kb_vote": ("answer_id", "id"),
    "survey": ("taken_on", "id"),
}


# A list's order index, walked in order with the text's hits checked per row, when a word
# is common: SQLite otherwise fetches every hit (26,000 customers for 科技 at 100k) and sorts
# them for a page of 50 (0.2 s → 0.1 s). Few hits: fetching them all is the quick way.
ORDER_INDEX = {"customer": "ix_customer_sort", "contact": "ix_contact_sort"}
MANY_HITS = 2_000


def _index_hint(conn: sqlite3.Connection, filter_: Filter, order: object, limit: int | None) -> str:
    index = ORDER_INDEX.get(filter_.entity)
    text = filter_.text
    if index is None or order is not None or limit is None or text is None:
        return ""
    if text.expression is None:
        return ""
    found = conn.execute(
        "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (text.expression,)
    ).fetchone()[0]
    return f" INDEXED BY {index}" if found > MANY_HITS else ""


def _where(filter_: Filter) -> tuple[str, list[Any]]:
    from crm_tui.storage import plain_filter

    sql, params = plain_filter.where(filter_)
    return f"{sql} AND {plain_filter.live(filter_.entity)}", params


def select_rows(
    conn: sqlite3.Connection,
    filter_: Filter,
    order: list[tuple[str, bool]] | None = None,
    limit: int | None = None,
    batch: int = 500,
) -> Iterator[list[dict[str, Any]]]:
    """Lists of at most `batch` live rows of the filter's entity that it selects, in
    `order` ((field, descending) keys; None: the list's default order), `limit` in all."""
    table = filter_.entity
    where, params = _where(filter_)
    if order is None:
        ordering = ", ".join(f'"{table}"."{name}"' for name in DEFAULT_ORDER[table])
    else:
        from crm_tui.storage import plain_filter

        ordering = plain_filter.order_by(table, order)
    hint = _index_hint(conn, filter_, order, limit)
    sql = f'SELECT "{table}".* FROM "{table}"{hint} WHERE {where} ORDER BY {ordering}'
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    while rows := cursor.fetchmany(batch):
        yield [dict(zip(names, row, strict=True)) for row in rows]


def count(conn: sqlite3.Connection, filter_: Filter) -> int:
    """How many live rows the filter selects."""
    where, params = _where(filter_)
    table = filter_.entity
    # Customers matching words only: whether each hit's customer is live, from the partial
    # index of live ids (migration 0142) instead of its row (科技 at 100k: 29 -> 17 ms).
    words_only = table == "customer" and not filter_.terms and filter_.text is not None
    hint = " INDEXED BY ix_customer_live_id" if words_only else ""
    sql = f'SELECT count(*) FROM "{table}"{hint} WHERE {where}'
    return conn.execute(sql, params).fetchone()[0]


def titles_of(
    conn: sqlite3.Connection, table: str, title: str, ids: Iterable[str]
) -> dict[str, Any]:
    """id -> title of the rows of `table` with those ids (deleted ones too)."""
    wanted = sorted({i for i in ids if i})
    out: dict[str, Any] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        marks = ", ".join("?" for _ in part)
        rows = conn.execute(f'SELECT id, "{title}" FROM "{table}" WHERE id IN ({marks})', part)
        out.update(dict(rows.fetchall()))
    return out
