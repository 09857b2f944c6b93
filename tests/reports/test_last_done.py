"""The trigger-kept `customer_last_done` table (migration 0050) always matches the follow-ups."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.storage.database import open_database
from crm_tui.storage.migrate import migrate_file

from .book import NOW

TRUTH = """
SELECT a.customer_id, max(a.done_at), c.owner_id, c.deleted = 0 AND c.status != 'lost'
FROM activity a JOIN customer c ON c.id = a.customer_id
WHERE a.done_at IS NOT NULL AND a.deleted = 0 GROUP BY a.customer_id ORDER BY 1
"""


def kept(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        table = conn.execute(
            "SELECT customer_id, last_done_at, owner_id, live FROM customer_last_done ORDER BY 1"
        ).fetchall()
        assert table == conn.execute(TRUTH).fetchall()
        return table
    finally:
        conn.close()


def test_last_done_follows_every_kind_of_change(book: Path) -> None:
    db = open_database(book, Clock(fixed=NOW, zone=UTC))
    r = db.repos
    names = {c.name: c.id for c in r.customers.page(limit=10)}
    before = dict((cid, last) for cid, last, *_ in kept(book))
    assert before[names["Initech"]].startswith("2026-09-15")

    email = r.activities.page(where=[], limit=20)
    open_one = next(a for a in email if a.done_at is None)
    r.activities.done(open_one.id)  # Initech's email, done now
    assert dict((c, last) for c, last, *_ in kept(book))[names["Initech"]].startswith(
        "2026-11-23 09:00"
    )

    latest_visit = next(
        a for a in r.activities.page(limit=20) if a.done_at is not None and a.done_at.day == 20
    )
    r.activities.delete(latest_visit.id)  # Globex's visit of the 20th goes
    assert dict((c, last) for c, last, *_ in kept(book))[names["Globex"]].startswith("2026-11-06")
    r.activities.restore(latest_visit.id)
    r.customers.update(names["Acme"], {"status": "lost"})
    assert [live for c, _, _, live in kept(book) if c == names["Acme"]] == [0]

    conn = sqlite3.connect(book)
    conn.execute("UPDATE customer SET owner_id = 'rep-c' WHERE id = ?", (names["Hooli"],))
    conn.execute("DELETE FROM activity WHERE customer_id = ?", (names["Hooli"],))
    conn.commit()
    conn.close()
    assert names["Hooli"] not in {c for c, *_ in kept(book)}
    db.close()


def test_migration_fills_the_table_from_existing_follow_ups(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    migrate_file(path, upto=49)
    stamp = datetime(2026, 10, 1, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO customer(id, created_at, updated_at, name, status) "
        "VALUES ('c1', ?, ?, 'Acme', 'lost')",
        (stamp, stamp),
    )
    for i, done in enumerate([stamp, None, "2026-10-05 08:00:00.000000"]):
        conn.execute(
            "INSERT INTO activity(id, created_at, updated_at, customer_id, subject, "
            "done_at) VALUES (?, ?, ?, 'c1', 'call', ?)",
            (f"a{i}", stamp, stamp, done),
        )
    conn.commit()
    conn.close()
    migrate_file(path)
    assert kept(path) == [("c1", "2026-10-05 08:00:00.000000", None, 0)]
