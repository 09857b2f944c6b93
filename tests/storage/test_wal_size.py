"""A big write (a first sync of a large team: ~650 MB through the -wal file) does not leave
the laptop's or the server's -wal file at that size on disk: it is cut back to 64 MB."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crm_tui.server.core import sqlite as server_sqlite
from crm_tui.storage import engine

LIMIT = 64 * 1024 * 1024


@pytest.mark.parametrize(
    "connect", [engine.connect, server_sqlite.connect], ids=["laptop", "server"]
)
def test_the_wal_file_shrinks_after_a_big_transaction(tmp_path: Path, connect) -> None:
    path = tmp_path / "book.db"
    conn = connect(path)
    conn.execute("CREATE TABLE t (b BLOB)")
    conn.execute("BEGIN")
    for _ in range(80):  # 80 MB in one transaction: the WAL must hold all of it
        conn.execute("INSERT INTO t VALUES (randomblob(1000000))")
    conn.execute("COMMIT")
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > LIMIT
    conn.execute("INSERT INTO t VALUES (1)")  # the next write restarts the checkpointed WAL
    assert wal.stat().st_size <= LIMIT
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (81,)
    conn.close()
    assert os.path.getsize(path) > 80 * 1_000_000  # nothing lost: the pages are in the book
