"""The scheduled release pass with two server workers running it at once (`crm server
--workers 2`, every 0.2 s each): every customer nobody followed up is released exactly once
— one pool_log release and one change per customer — on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from crm_tui.domain.dates import Clock
from crm_tui.server.core.db import ServerDB
from crm_tui.storage.database import open_database
from tests.sync.conftest import ZONE, Laptop, Server, crm
from tests.sync.pg import pg_cluster, start_server  # noqa: F401 - pytest fixture

COLD = 12
EVERY = {"CRM_POOL_RELEASE_EVERY": "0.2"}


def _enrol(server: Server, folder: Path) -> Laptop:
    name = f"rep-{uuid.uuid4().hex[:8]}"
    code = server.add_user(name, "rep")
    path = folder / f"{name}.db"
    result = crm("--db", str(path), "login", server.url, "--user", name, "--code", code)
    assert result.exit_code == 0, result.output
    clock = Clock(zone=ZONE)
    return Laptop(name, path, open_database(path, clock), clock)


def _released_once(server: Server, folder: Path) -> None:
    rep = _enrol(server, folder)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    cold = [
        rep.db.repos.customers.create({"name": f"久未跟进 {i}", "claimed_at": long_ago}).id
        for i in range(COLD)
    ]
    kept = rep.db.repos.customers.create({"name": "新客户"}).id
    assert not rep.sync().rejected
    db = ServerDB(server.database_url)
    try:
        count_sql = text("SELECT count(*) FROM pool_log WHERE event = 'release'")
        deadline = time.monotonic() + 90
        while True:
            with db.read() as s:
                done = s.execute(count_sql).scalar_one()
            if done >= COLD or time.monotonic() > deadline:
                break
            time.sleep(0.1)  # the server's own schedule: poll its effect
        # A few more passes of both workers after the last release: still once each.
        time.sleep(1.0)
        with db.read() as s:
            rows = s.execute(
                text(
                    "SELECT customer_id, count(*) FROM pool_log WHERE event = 'release' "
                    "GROUP BY customer_id"
                )
            ).all()
            changes = s.execute(
                text("SELECT row_id, data FROM change_log WHERE entity = 'customer' ORDER BY seq")
            ).all()
        assert dict(rows) == dict.fromkeys(cold, 1), rows
        for cid in cold:
            mine = [json.loads(d) for r, d in changes if r == cid and d]
            # Created once, released once: exactly one change with the owner cleared.
            assert [m["owner_id"] for m in mine].count(None) == 1, mine
        assert kept not in dict(rows)
    finally:
        db.close()
        rep.db.close()


def test_two_workers_release_each_customer_once_sqlite(tmp_path: Path) -> None:
    running = start_server(f"sqlite:///{tmp_path / 'server.db'}", tmp_path, env=EVERY, workers=2)
    try:
        _released_once(Server(running.url, running.database_url, running.proc), tmp_path)
    finally:
        running.stop()


@pytest.mark.slow
def test_two_workers_release_each_customer_once_postgres(pg_cluster, tmp_path: Path) -> None:  # noqa: F811
    url = pg_cluster.create_database("crm_pool_release")
    running = start_server(url, tmp_path, env=EVERY, workers=2)
    try:
        _released_once(Server(running.url, url, running.proc), tmp_path)
    finally:
        running.stop()
