"""Provides `defer_triggers`: a large import's row-by-row AFTER INSERT triggers replaced by one
statement each over the new rows, run once after them in the same transaction.

A customer row fires four triggers (the search epoch, its last follow-up's owner, the
insight dirty set, the pool clock): ~8 µs of the ~15 µs SQLite spends per imported
customer. Each replacement below does exactly what its trigger does for every row with a
rowid from the first new one on (rows only get new rowids past the largest), taken from
the rows as they end up; updates during the import still fire the update triggers. A
trigger whose SQL is no longer the text below (its owner changed it) is not touched: it
keeps firing row by row, so a change elsewhere can make an import slower, never wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

# trigger name -> (its SQL as the migrations create it, the same work over the new rows;
# `?` is the first new rowid).
_SET_BASED: dict[str, tuple[str, str]] = {
    "tr_search_epoch_customer_ins": (
        "CREATE TRIGGER tr_search_epoch_customer_ins AFTER INSERT ON customer "
        "BEGIN UPDATE search_epoch SET n = n + 1; END",
        "UPDATE search_epoch SET n = n + (SELECT count(*) FROM customer WHERE rowid >= ?)",
    ),
    "tr_customer_last_done_insert": (
        "CREATE TRIGGER tr_customer_last_done_insert AFTER INSERT ON customer BEGIN "
        "UPDATE customer_last_done SET owner_id = NEW.owner_id, "
        "live = (NEW.deleted = 0 AND NEW.status != 'lost') WHERE customer_id = NEW.id; END",
        "UPDATE customer_last_done SET owner_id = c.owner_id, "
        "live = (c.deleted = 0 AND c.status != 'lost') "
        "FROM customer c WHERE c.id = customer_last_done.customer_id AND c.rowid >= ?",
    ),
    "tr_insight_customer_insert": (
        "CREATE TRIGGER tr_insight_customer_insert AFTER INSERT ON customer "
        "BEGIN INSERT INTO insight_dirty VALUES (NEW.id) ON CONFLICT DO NOTHING; END",
        "INSERT INTO insight_dirty SELECT id FROM customer WHERE rowid >= ? ON CONFLICT DO NOTHING",
    ),
    "tr_pool_clock_customer_insert": (
        "CREATE TRIGGER tr_pool_clock_customer_insert AFTER INSERT ON customer "
        "WHEN NEW.deleted = 0 AND NEW.locked = 0 AND NEW.owner_id IS NOT NULL BEGIN "
        "INSERT OR REPLACE INTO pool_clock(customer_id, owner_id, since) "
        "VALUES (NEW.id, NEW.owner_id, max(coalesce(NEW.claimed_at, NEW.created_at), "
        "coalesce((SELECT last_done_at FROM customer_last_done "
        "WHERE customer_id = NEW.id), ''))); END",
        "INSERT OR REPLACE INTO pool_clock(customer_id, owner_id, since) "
        "SELECT c.id, c.owner_id, max(coalesce(c.claimed_at, c.created_at), "
        "coalesce((SELECT last_done_at FROM customer_last_done "
        "WHERE customer_id = c.id), '')) FROM customer c "
        "WHERE c.rowid >= ? AND c.deleted = 0 AND c.locked = 0 AND c.owner_id IS NOT NULL",
    ),
}

# (first new rowid, [(the set statement, the trigger's SQL to create it again)])
Deferred = tuple[int, list[tuple[str, str]]]


def _same(sql: str) -> str:
    return " ".join(sql.replace("(", " ( ").replace(")", " ) ").split()).rstrip(";")


def defer_triggers(conn: sqlite3.Connection, table: str) -> Deferred:
    """Drop the AFTER INSERT triggers of `table` that have a set-based form here, and say
    what `finish_triggers` must run once the rows are in (call before the first row)."""
    first = conn.execute(f'SELECT coalesce(max(rowid), 0) + 1 FROM "{table}"').fetchone()[0]
    found = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
    ).fetchall()
    deferred: list[tuple[str, str]] = []
    for name, sql in found:
        known = _SET_BASED.get(name)
        if known is None or _same(known[0]) != _same(sql):
            continue
        conn.execute(f'DROP TRIGGER "{name}"')
        deferred.append((known[1], sql))
    return first, deferred


def finish_triggers(conn: sqlite3.Connection, deferred: Deferred) -> None:
    """Do the dropped triggers' work over the new rows, then create the triggers again."""
    first, triggers = deferred
    for statement, _sql in triggers:
        conn.execute(statement, (first,))
    for _statement, sql in triggers:
        conn.execute(sql)
