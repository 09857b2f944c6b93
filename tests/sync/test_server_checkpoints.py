"""The SQLite server moves its WAL into the database file from a background thread, so no
request's commit pays for a checkpoint (SQLite's own, far larger, threshold stays as a
backstop)."""

from __future__ import annotations

import time
from pathlib import Path

from crm_tui.server.core.db import AUTOCHECKPOINT_PAGES, Checkpointer, ServerDB
from crm_tui.storage.engine import connect


def test_committed_pages_reach_the_database_file_without_a_writer_checkpointing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "server.db"
    writer = connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # this writer never checkpoints
    writer.execute("CREATE TABLE t (x TEXT)")
    writer.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 2000)
    before = path.stat().st_size
    checkpoints = Checkpointer(path, every=0.05)
    checkpoints.start()
    try:
        deadline = time.monotonic() + 5
        while path.stat().st_size <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        grown = path.stat().st_size > before  # before the writer closes (that checkpoints)
    finally:
        checkpoints.stop()
        writer.close()
    assert grown
    assert not checkpoints.is_alive()


def test_server_connections_leave_checkpoints_to_the_thread(tmp_path: Path) -> None:
    db = ServerDB(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        with db.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == AUTOCHECKPOINT_PAGES
        assert db._checkpoints is not None and db._checkpoints.is_alive()
    finally:
        db.close()
    assert not db._checkpoints.is_alive()
