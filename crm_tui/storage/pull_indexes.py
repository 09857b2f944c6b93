"""Provides the first sync's index deferral: a brand-new laptop drops the secondary indexes
of the big tables, and the follow-ups' derived-data triggers, while it pulls a million rows,
and builds the indexes and fills the derived tables once at the end.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from crm_tui.storage import outbox
from crm_tui.storage.engine import SCRATCH_ON_DISK

if TYPE_CHECKING:
    from crm_tui.storage.store import Store

CURSOR_KEY = outbox.CURSOR_KEY
_PLAIN_PRAGMAS = ("PRAGMA cache_size = -2000", "PRAGMA wal_autocheckpoint = 1000")
# Helper threads of SQLite's sorter while building the indexes: one per spare core, up to 3.
_SORT_THREADS = max(0, min(3, (os.cpu_count() or 1) - 1))

DEFERRED_KEY = outbox.DEFERRED_INDEXES_KEY
# Tables a first sync fills; their secondary indexes are built once at its end.
_FILLED = ("customer", "contact", "activity", "opportunity", "opportunity_line", "expense")
# Indexes the pull itself reads (contacts of a new customer), and those a query names in
# INDEXED BY (a missing one is an error, not a slower plan: `crm list customers 科技`'s
# count, storage/plain_rows.py, during or after an interrupted first sync).
# The customers' and contacts' are small beside the million follow-ups the deferral is for.
_KEEP = frozenset(
    {"ix_contact_customer", "ix_customer_live_id", "ix_customer_sort", "ix_contact_sort"}
)
# Triggers a million follow-ups fired row by row (a customer_last_done upsert reading the
# customer twice, an insight_dirty insert: 6/7 of the cost of writing a follow-up page),
# with what fills their tables in one statement each from the rows as they end up.
_TRIGGERS = {
    "tr_activity_last_done_insert": "last_done",
    "tr_activity_last_done_update": "last_done",
    "tr_activity_last_done_delete": "last_done",
    "tr_insight_activity_insert": "insight",
    "tr_insight_activity_update": "insight",
}
_INSIGHT_REFILL = (
    "INSERT INTO insight_dirty (customer_id) SELECT DISTINCT customer_id FROM activity "
    "WHERE done_at IS NOT NULL AND customer_id IS NOT NULL ON CONFLICT DO NOTHING"
)


def begin_pull(db: Store) -> bool:
    """On a brand-new laptop (nothing pulled, no records yet), drop the secondary indexes of
    the big tables for the first sync: maintaining a dozen indexes row by row made writing a
    million follow-ups ~8x slower than building the indexes once at the end. The follow-ups'
    derived-data triggers (`_TRIGGERS`) go too; their tables are filled at the end. Their
    SQL is kept in `sync_state`, so a first sync cut short still ends with `end_pull`
    rebuilding them (the next pull finds them owed and carries on without). True when
    deferred."""
    from crm_tui.storage.bulk import raw_connection

    if db.state(DEFERRED_KEY):
        return True
    if int(db.state(CURSOR_KEY) or 0) != 0:
        return False
    with db.transaction() as s:
        conn = raw_connection(s)
        if any(conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in _FILLED):
            return False
        marks = ", ".join("?" for _ in _FILLED)
        indexes = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) ORDER BY name",
                _FILLED,
            )
            if name not in _KEEP
        ]
        if not indexes:
            return False
        triggers = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            )
            if name in _TRIGGERS
        ]
        db.set_state(DEFERRED_KEY, json.dumps(indexes + triggers))
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return True


def end_pull(db: Store) -> None:
    """Build any indexes a first sync deferred, give back the pull's page cache, and
    checkpoint the WAL it grew."""
    from crm_tui.storage.bulk import raw_connection

    with db.transaction() as s:
        conn = raw_connection(s)
        # The plain page cache first: building the indexes with the pull's 64 MB cache
        # filled it with sorted runs for nothing (110k rows: 92 MB RSS vs 28 MB, more CPU).
        for pragma in _PLAIN_PRAGMAS:
            conn.execute(pragma)
        saved = db.state(DEFERRED_KEY)
        if saved:
            # Each index's sort runs on the spare cores too (SQLite's sorter threads), and
            # spills to disk: sorting a million keys in memory scratch space (the app's
            # temp_store) was the first sync's peak RSS, ~50 MB over the pull's. The
            # engine puts scratch space back in memory when the connection is returned.
            conn.execute(f"PRAGMA threads = {_SORT_THREADS}")
            conn.execute("PRAGMA temp_store = FILE")
            s.connection().connection.info[SCRATCH_ON_DISK] = True
            refill = set()
            for name, sql in json.loads(saved):
                if name in _TRIGGERS:
                    refill.add(_TRIGGERS[name])
                    sql = sql.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)
                conn.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            if "last_done" in refill:
                from crm_tui.storage.reports import rebuild_customer_last_done

                rebuild_customer_last_done(conn)  # its own triggers move the pool clocks
            if "insight" in refill:
                conn.execute(_INSIGHT_REFILL)
            conn.execute("PRAGMA threads = 0")
            db.set_state(DEFERRED_KEY, None)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
