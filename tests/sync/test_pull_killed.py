"""Issue 21: a new laptop's first sync killed outright (SIGKILL: no `finally`, no end_pull,
a page's transaction open) against a real `crm server`, then synced again, ends equal to a
laptop that pulled the same server in one go: the same rows, search documents, derived
tables, indexes and triggers; nothing skipped, nothing doubled."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from crm_tui.storage import pull_store

# Pull in pages of 5 and die by SIGKILL right after the `kill_at`-th page's rows are written,
# before that page commits.
_KILLED_PULL = """
import os, signal, sys
from pathlib import Path
from crm_tui.domain.dates import Clock
from crm_tui.storage import pull_store
from crm_tui.storage.database import open_database
from crm_tui.sync.client import SyncClient, SyncReport, pull_changes

path, kill_at = Path(sys.argv[1]), int(sys.argv[2])
written = [0]
upsert = pull_store._upsert

def dying_upsert(*args, **kwargs):
    upsert(*args, **kwargs)
    written[0] += 1
    if written[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

pull_store._upsert = dying_upsert
db = open_database(path, Clock())
with SyncClient.for_database(path) as client:
    pull_changes(db, client, SyncReport(), page=5)
"""

TABLES = (
    "customer",
    "contact",
    "activity",
    "customer_last_done",
    "pool_clock",
    "insight_dirty",
)


def _book(lap) -> None:
    """Customers (a Chinese name among them), contacts, done and open follow-ups, then
    edits, so the change log holds several versions of some rows."""
    repos = lap.db.repos
    now = datetime.now(UTC).replace(microsecond=0)
    customers = []
    for i in range(8):
        cid = repos.customers.create({"name": f"杭州断线 {i}", "city": "Hangzhou"}).id
        customers.append(cid)
        repos.contacts.create({"customer_id": cid, "name": f"Wu {i}"})
        for k in range(2):
            repos.activities.create(
                {"customer_id": cid, "subject": f"visit {i}-{k}", "done_at": now - timedelta(k)}
            )
        repos.activities.create({"customer_id": cid, "subject": f"call {i}", "due_at": "+3d"})
    lap.sync()
    for cid in customers[:3]:
        repos.customers.update(cid, {"notes": "edited after", "grade": "A"})
    repos.customers.update(customers[4], {"status": "lost"})
    lap.sync()


def _contents(lap) -> dict[str, list[tuple]]:
    with sqlite3.connect(lap.path) as conn:
        got = {t: sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr) for t in TABLES}
        got["schema"] = sorted(
            conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
            )
        )
        got["search"] = sorted(
            conn.execute(
                "SELECT d.entity, d.row_id, f.body FROM search_doc d "
                "JOIN search_fts f ON f.rowid = d.docid"
            ),
            key=repr,
        )
    return got


@pytest.mark.parametrize("kill_at", [1, 4])
def test_a_first_sync_killed_mid_page_then_synced_again_equals_one_whole_pull(
    laptop, kill_at: int
) -> None:
    _book(laptop())
    killed, whole = laptop("manager"), laptop("manager")
    run = subprocess.run(
        [sys.executable, "-c", _KILLED_PULL, str(killed.path), str(kill_at)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == -9, run.stderr
    # Killed inside its first sync: the deferred indexes are still owed.
    assert killed.db.state(pull_store.DEFERRED_KEY)
    stopped_at = pull_store.cursor_of(killed.db)

    report = killed.sync()
    whole.sync()

    assert report.pulled > 0 and pull_store.cursor_of(killed.db) > stopped_at
    assert not killed.db.state(pull_store.DEFERRED_KEY)
    assert _contents(killed) == _contents(whole)
