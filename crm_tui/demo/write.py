"""Provides how demo rows reach the file: one executemany per table and batch, reference
data (competitors, lost reasons, announcements) and the search documents."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from crm_tui.demo.activities import add_activities
from crm_tui.demo.batch import Batch
from crm_tui.demo.gen import Gen, ts
from crm_tui.demo.words import ANNOUNCEMENTS, COMPETITORS
from crm_tui.domain import rules

_SYNC = "id, owner_id, created_at, updated_at, deleted, field_hlc, server_version, extra"


def insert(conn: sqlite3.Connection, table: str, columns: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" * (8 + columns.count(",") + 1))
        conn.executemany(f"INSERT INTO {table} ({_SYNC}, {columns}) VALUES ({marks})", rows)


def _sync_cols(g: Gen, created: datetime) -> tuple:
    stamp = ts(created)
    return (g.uid(), None, stamp, stamp, 0, "{}", 0, "{}")


def reference_data(conn: sqlite3.Connection, g: Gen) -> None:
    created = g.now - timedelta(days=400)
    insert(
        conn,
        "competitor",
        "name, strengths, weaknesses, notes",
        [_sync_cols(g, created) + (n, s, w, None) for n, s, w in COMPETITORS],
    )
    insert(
        conn,
        "lost_reason",
        "name",
        [_sync_cols(g, created) + (r,) for r in rules.DEFAULT_LOST_REASONS],
    )
    rows = []
    for i, (title, body) in enumerate(ANNOUNCEMENTS):
        published = g.now - timedelta(days=2 * i + 1, hours=i)
        rows.append(_sync_cols(g, published) + (title, body, ts(published)))
    insert(conn, "announcement", "title, body, published_at", rows)


def write_batch(conn: sqlite3.Connection, g: Gen, b: Batch) -> dict[str, int]:
    customers, contacts, opportunities = b.customers, b.contacts, b.opportunities
    lines, expenses, docs = b.lines, b.expenses, b.docs
    insert(
        conn,
        "customer",
        "name, kind, status, grade, industry, source, phone, email, "
        "address, city, website, tags, notes, birthday, sort_key",
        customers,
    )
    insert(
        conn,
        "contact",
        "customer_id, name, title, phone, mobile, email, birthday, notes, sort_key",
        contacts,
    )
    insert(
        conn,
        "opportunity",
        "customer_id, title, stage, amount, currency, probability, "
        "expected_close, next_step, closed_on, lost_reason, competitor_id, lost_note, "
        "stage_changed_at",
        opportunities,
    )
    insert(
        conn,
        "opportunity_line",
        "opportunity_id, product, model, unit_price, currency, quantity",
        lines,
    )
    activity_count = (
        add_activities(conn, g, customers[0][0], customers[-1][0])
        if customers and g.followups > 0
        else 0
    )
    insert(
        conn,
        "expense",
        "spent_on, category, amount, currency, customer_id, "
        "opportunity_id, description, receipt, status, approver_id, decision_note, "
        "submitted_at, decided_at",
        expenses,
    )
    index_docs(conn, docs)
    return {
        "contacts": len(contacts),
        "activities": activity_count,
        "opportunities": len(opportunities),
        "expenses": len(expenses),
    }


def index_docs(conn: sqlite3.Connection, docs: list[tuple[str, str, str]]) -> None:
    first = conn.execute("SELECT coalesce(max(docid), 0) FROM search_doc").fetchone()[0] + 1
    conn.executemany(
        "INSERT INTO search_doc(docid, entity, row_id) VALUES (?, ?, ?)",
        ((first + k, e, r) for k, (e, r, _b) in enumerate(docs)),
    )
    conn.executemany(
        "INSERT INTO search_fts(rowid, body) VALUES (?, ?)",
        ((first + k, b) for k, (_e, _r, b) in enumerate(docs)),
    )
