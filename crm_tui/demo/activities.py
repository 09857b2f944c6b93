"""Provides the demo's follow-ups, made in SQLite rather than Python: a million rows are
too many to build as tuples quickly. Times come from a small slot table, subjects and
outcomes from CASE expressions over the demo vocabulary."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from crm_tui.demo.gen import Gen, ts
from crm_tui.demo.words import OUTCOMES, SUBJECTS

# Ten follow-ups per customer (g.followups) over the past year and the next month, made in
# SQLite: a million rows is too many to build as Python tuples quickly. The "random" numbers are a
# Park-Miller sequence seeded from (customer rowid, n, seed), so the data is reproducible.
_ACTIVITY_SQL = """
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < :last),
h AS (
    SELECT c.id AS cid, c.rowid AS r, n.k AS k,
           ((c.rowid * 7919 + n.k * 104729 + :seed * 613) * 48271) % 2147483647 AS h1
    FROM customer c, n WHERE c.rowid BETWEEN :lo AND :hi
),
h2 AS (SELECT *, (h1 * 48271) % 2147483647 AS h2 FROM h),
h3 AS (SELECT *, (h2 * 48271) % 2147483647 AS h3 FROM h2),
h4 AS (SELECT *, (h3 * 48271) % 2147483647 AS h4 FROM h3),
f AS (
    SELECT cid, r, k, h1, h2, h3, h4,
           h1 % 395 - 365 AS offset,
           h2 % 100 < 20 AS all_day,
           CASE WHEN h4 % 100 < 40 THEN 'call' WHEN h4 % 100 < 60 THEN 'visit'
                WHEN h4 % 100 < 70 THEN 'meeting' WHEN h4 % 100 < 85 THEN 'email'
                WHEN h4 % 100 < 90 THEN 'sms' ELSE 'task' END AS kind
    FROM h4
),
d AS (
    SELECT f.*, s.due, s.remind, s.made,
           CASE h2 % 3 WHEN 0 THEN s.done1 WHEN 1 THEN s.done2 ELSE s.done3 END AS done_text,
           (offset < -14 AND h3 % 1000 < 995) OR (offset < 0 AND h3 % 100 < 90) AS done
    FROM f JOIN temp.demo_slot s
      ON s.slot = (offset + 365) * 37 + CASE WHEN all_day THEN 36 ELSE h2 / 100 % 36 END
)
INSERT INTO activity (id, owner_id, created_at, updated_at, deleted, field_hlc, server_version,
                      extra, customer_id, contact_id, opportunity_id, kind, subject, notes,
                      due_at, all_day, remind_at, done_at, outcome)
SELECT printf('%08x-%04x-7%03x-%x%03x-%012x', (:t0 + r * 10 + k) >> 16,
              (:t0 + r * 10 + k) & 65535, h1 % 4096, 8 + h2 % 4, h3 % 4096,
              (h4 * 65536 + h1 % 65536) % 281474976710656),
       NULL, made, made, 0, '{}', 0, '{}', cid,
       CASE WHEN h4 / 100 % 10 < 7 THEN
           (SELECT id FROM contact WHERE customer_id = cid AND rowid <= h3 % 3 +
               (SELECT min(rowid) FROM contact WHERE customer_id = cid)
            ORDER BY rowid DESC LIMIT 1) END,
       CASE WHEN h2 / 1000 % 10 < 3 THEN
           (SELECT id FROM opportunity WHERE customer_id = cid ORDER BY rowid LIMIT 1) END,
       kind,
       {subject},
       NULL, due, all_day, remind, CASE WHEN done THEN done_text END,
       CASE WHEN done THEN {outcome} END
FROM d
"""


def _sql_pick(key: str, options: list[str]) -> str:
    """A CASE that picks one of `options` by `key` (JSON functions per row are much slower)."""
    quoted = [o.replace("'", "''") for o in options]
    arms = " ".join(f"WHEN {i} THEN '{o}'" for i, o in enumerate(quoted))
    return f"CASE {key} % {len(options)} {arms} END"


def _activity_sql() -> str:
    subject = (
        "CASE kind "
        + " ".join(
            f"WHEN '{kind}' THEN {_sql_pick('h1 / 1000', subjects)}"
            for kind, subjects in SUBJECTS.items()
        )
        + " END"
    )
    return _ACTIVITY_SQL.replace("{subject}", subject).replace(
        "{outcome}", _sql_pick("h4 / 1000", OUTCOMES)
    )


def fill_slots(conn: sqlite3.Connection, g: Gen) -> None:
    """Due, remind and done times for every (day offset, quarter hour): formatting dates in
    SQL per row costs more than the rest of the insert, so they are looked up instead."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS demo_slot (slot INTEGER PRIMARY KEY, "
        "due TEXT, remind TEXT, done1 TEXT, done2 TEXT, done3 TEXT, made TEXT)"
    )
    conn.execute("DELETE FROM temp.demo_slot")
    rows = []
    for offset in range(-365, 31):
        day = g.local_midnight + timedelta(days=offset)
        for m in range(37):
            due = day if m == 36 else day + timedelta(minutes=540 + m * 15)
            remind = due + timedelta(hours=9) if m == 36 else due
            # Past follow-ups are stamped at their due time; today's and planned ones were
            # written down on a morning some days ago (never in the future).
            made = due if offset < 0 else g.local_midnight - timedelta(days=1 + m % 10, hours=-9)
            rows.append(
                (
                    (offset + 365) * 37 + m,
                    ts(due),
                    ts(remind),
                    *(ts(due + timedelta(minutes=d)) for d in (25, 140, 410)),
                    ts(made),
                )
            )
    conn.executemany("INSERT INTO temp.demo_slot VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def add_activities(conn: sqlite3.Connection, g: Gen, first_id: str, last_id: str) -> int:
    lo, hi = conn.execute(
        "SELECT min(rowid), max(rowid) FROM customer WHERE id IN (?, ?)", (first_id, last_id)
    ).fetchone()
    conn.execute(
        _activity_sql(),
        {
            "seed": g.seed,
            "last": g.followups - 1,
            "lo": lo,
            "hi": hi,
            "t0": int(g.clock.now().timestamp() * 1000) - 300 * 86_400_000,
        },
    )
    return conn.execute("SELECT changes()").fetchone()[0]
