"""Issue 21 (server): the clock shared by workers through the database, and a device not sent
back its own writes (pull with echo=version: CONTRACT-21.md), against a real `crm server`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crm_tui.domain.hlc import Timestamp, wall_clock_ms
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.db import ServerDB
from crm_tui.sync.protocol import ECHO_VERSION, PULL_ECHO_PARAM
from tests.sync.conftest import Server
from tests.sync.pg import start_server
from tests.sync.test_server_workers_pg import converge


def _pull(lap: Any, after: int = 0, echo: bool = True) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"after": after, "limit": 5000}
    if echo:
        params[PULL_ECHO_PARAM] = ECHO_VERSION
    with lap.client() as client:
        return client._request("GET", "/sync/pull", params=params).json()["changes"]


def test_two_workers_clocks_never_go_below_each_other(tmp_path: Path) -> None:
    """Worker B's stamps are above every stamp worker A accepted in a committed write, even
    when A's clock ran far ahead of B's (another host's)."""
    db = ServerDB(f"sqlite:///{tmp_path / 'server.db'}")
    db.init()
    a, b = ServerClock(), ServerClock()
    ahead = Timestamp(wall_clock_ms() + 50_000, 7, "laptop1").encode()
    with db.write() as s:
        mark = a.load(s)
        a.receive(ahead)
        a.save(s, mark)
    with db.write() as s:
        mark = b.load(s)
        stamp = b.tick()
        b.save(s, mark)
    assert stamp > ahead
    with db.read() as s:
        c = ServerClock()
        c.load(s)
        assert c.now() >= stamp
    # A server stamp on a row is above the row's own clocks, whatever the shared mark says.
    row_clock = Timestamp(wall_clock_ms() + 55_000, 0, "laptop2").encode()
    assert ServerClock().tick([row_clock]) > row_clock
    db.close()


def test_a_laptop_gets_its_own_writes_back_as_versions_only(laptop) -> None:
    # A name no other test uses: the session's server flags look-alike customers as
    # duplicates, and a flag is a value the server changed (so not an echo).
    alice, bob = laptop("rep"), laptop("rep")
    alice.sync()
    bob.sync()
    cursor = max(c["seq"] for c in _pull(alice, echo=False) or [{"seq": 0}])
    cid = alice.db.repos.customers.create({"name": "Echo Pumps 南京", "city": "Nanjing"}).id
    fid = alice.db.repos.opportunities.create({"customer_id": cid, "title": "200 pumps"}).id
    alice.sync()
    mine = {c["row_id"]: c for c in _pull(alice, cursor)}
    assert mine[cid]["op"] == "version" and mine[fid]["op"] == "version"
    assert mine[cid]["data"] == {"version": mine[cid]["seq"]}
    # An old laptop (no echo parameter) and a teammate get the full row.
    assert {c["row_id"]: c["op"] for c in _pull(alice, cursor, echo=False)}[cid] == "upsert"
    theirs = {c["row_id"]: c for c in _pull(bob, cursor)}
    assert theirs[cid]["op"] == "upsert"
    assert theirs[cid]["data"]["fields"]["name"] == "Echo Pumps 南京"
    # An edit on the version alice has seen is an echo too; bob's edit of it is not (alice
    # gets bob's values in full).
    alice.sync()
    alice.db.repos.customers.update(cid, {"city": "Suzhou"})
    alice.sync()
    after_edit = {c["row_id"]: c for c in _pull(alice, cursor)}
    assert after_edit[cid]["op"] == "version"
    bob.sync()
    bob.db.repos.customers.update(cid, {"city": "Wuxi"})
    bob.sync()
    got = {c["row_id"]: c for c in _pull(alice, cursor)}
    assert got[cid]["op"] == "upsert" and got[cid]["data"]["fields"]["city"] == "Wuxi"
    # And the laptop still converges (today's client takes full rows).
    alice.sync()
    assert alice.row("customer", cid)["city"] == "Wuxi"


def test_a_value_the_server_changed_comes_back_in_full(laptop) -> None:
    """A concurrent edit that lost: the server's row differs from what the laptop wrote."""
    alice, bob = laptop("rep"), laptop("rep")
    cid = alice.db.repos.customers.create({"name": "Lost Edit Co", "city": "Hefei"}).id
    alice.sync()
    bob.sync()
    cursor = max(c["seq"] for c in _pull(bob, echo=False))
    alice.db.repos.customers.update(cid, {"city": "Anqing"})
    bob.db.repos.customers.update(cid, {"city": "Bengbu"})
    alice.sync()
    bob.sync()  # bob's write is on a version he had not seen: not an echo
    got = {c["row_id"]: c for c in _pull(bob, cursor)}
    assert got[cid]["op"] == "upsert"


@pytest.mark.slow
def test_three_workers_on_one_sqlite_file_stay_correct(tmp_path: Path) -> None:
    """SQLite: one writer at a time across worker processes (BEGIN IMMEDIATE, busy timeout,
    503 + retry); eight laptops and a reader converge as on PostgreSQL."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    running = start_server(url, tmp_path, workers=3)
    try:
        converge(Server(running.url, url, running.proc), tmp_path, 8, "3 workers on SQLite")
    finally:
        running.stop()


@pytest.mark.slow
def test_several_workers_answer_without_the_delayed_ack_wait(tmp_path: Path) -> None:
    """uvicorn's multi-worker socket lost TCP_NODELAY: every answer then waited ~40 ms for
    the client's delayed ACK. Sequential requests must take a few ms, as with one worker."""
    import statistics
    import time

    import httpx

    url = f"sqlite:///{tmp_path / 'server.db'}"
    running = start_server(url, tmp_path, workers=2)
    try:
        with httpx.Client(base_url=running.url) as client:
            times = []
            for _ in range(30):
                started = time.perf_counter()
                assert client.get("/health").status_code == 200
                times.append(time.perf_counter() - started)
    finally:
        running.stop()
    median = statistics.median(times[5:]) * 1000
    print(f"\n/health on 2 workers: median {median:.1f} ms")
    assert median < 30, f"{median:.1f} ms: Nagle + delayed ACK is back"
