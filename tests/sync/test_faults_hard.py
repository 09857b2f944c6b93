"""Harder faults, on a server of this module's own (it gets killed): kill -9 mid-push and a
restart on the same files, duplicated and reordered pushes, skewed laptop clocks, a laptop
restored from a backup, a token revoked mid-sync, 429 with Retry-After, 413 from the client.
Nothing is lost and nothing is applied twice.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from crm_tui.storage.database import open_database
from crm_tui.sync.client import (
    AuthError,
    OfflineError,
    SeqConflictError,
    SyncError,
    _tls_context,
    outbox_mutations,
    sync_once,
)
from crm_tui.sync.protocol import PushRequest, version_headers
from tests.sync.conftest import Server, crm
from tests.sync.pg import ServerProcess, start_server


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("killable")
    running = start_server(f"sqlite:///{folder / 'server.db'}", folder)
    yield running
    running.stop()


@pytest.fixture
def server(own_server: ServerProcess) -> Server:
    """The `laptop` factory signs in to this module's server."""
    return Server(own_server.url, own_server.database_url, own_server.proc)


def server_db(server: Server) -> sqlite3.Connection:
    return sqlite3.connect(server.database_url.removeprefix("sqlite:///"))


class Wire(httpx.BaseTransport):
    """The real network, with a hook that may act on each push before and after it."""

    def __init__(self, before=None, after=None) -> None:  # noqa: ANN001
        self.inner = httpx.HTTPTransport(verify=_tls_context())
        self.before, self.after = before, after
        self.pushes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/sync/push":
            return self.inner.handle_request(request)
        self.pushes += 1
        if self.before:
            self.before(self, request)
        response = self.inner.handle_request(request)
        return self.after(self, request, response) if self.after else response


def test_kill_9_mid_push_and_restart_on_the_same_files_loses_and_doubles_nothing(
    laptop, own_server: ServerProcess, server: Server
) -> None:
    alice, bob = laptop(), laptop()
    ids = [alice.db.repos.customers.create({"name": f"Kiln {i:03d}"}).id for i in range(90)]

    def kill_soon(wire: Wire, request: httpx.Request) -> None:
        if wire.pushes == 2:  # the second batch: kill -9 while the server is applying it
            threading.Timer(0.02, own_server.proc.kill).start()
        if wire.pushes == 3:  # a fast server may have answered batch 2 before the kill;
            own_server.proc.wait(10)  # batch 3 must never reach a live one

    alice.transport = Wire(before=kill_soon)
    with alice.client(retries=1) as client, pytest.raises(OfflineError):
        sync_once(alice.db, client, batch=30)
    own_server.proc.wait(10)
    left = alice.db.pending_changes()
    assert 0 < left <= 90 - 30  # the first batch was answered and recorded
    restarted = start_server(own_server.database_url, own_server.folder, own_server.port)
    own_server.proc = restarted.proc
    alice.transport = None
    alice.sync()
    bob.sync()
    assert alice.db.pending_changes() == 0
    with server_db(server) as conn:
        logged = dict(
            conn.execute(
                "SELECT row_id, count(*) FROM change_log WHERE entity = 'customer' GROUP BY row_id"
            ).fetchall()
        )
    assert all(logged.get(i) == 1 for i in ids)  # each creation applied exactly once
    assert all(bob.row("customer", i) is not None for i in ids)


def test_duplicated_and_reordered_pushes_apply_each_change_once(laptop, server) -> None:
    alice = laptop()
    cid = alice.db.repos.customers.create({"name": "Reorder Co"}).id
    for city in ("Hefei", "Suzhou", "Wuxi"):
        alice.db.repos.customers.update(cid, {"city": city})
    first, second = (
        outbox_mutations(alice.db, 10)[:2],
        outbox_mutations(alice.db, 10)[2:],
    )
    with alice.client() as client:
        with pytest.raises(SeqConflictError, match="expected change"):
            client.push(PushRequest(mutations=second))  # arrives before the first
        assert {r.status for r in client.push(PushRequest(mutations=first)).results} == {"applied"}
        assert {r.status for r in client.push(PushRequest(mutations=second)).results} == {"applied"}
        again = client.push(PushRequest(mutations=first + second))  # a late duplicate
        assert {r.status for r in again.results} == {"duplicate"}
    # Every request is now delivered twice by the network: answers are the stored ones.
    alice.db.repos.customers.update(cid, {"grade": "B"})

    def deliver_twice(wire: Wire, request: httpx.Request, response: httpx.Response):  # noqa: ANN202
        response.read()
        return wire.inner.handle_request(request)

    alice.transport = Wire(after=deliver_twice)
    report = alice.sync()
    assert report.rejected == 0 and alice.db.pending_changes() == 0
    with server_db(server) as conn:
        count = conn.execute("SELECT count(*) FROM change_log WHERE row_id = ?", (cid,)).fetchone()[
            0
        ]
    assert count == 3  # one entry per push that changed the row; the duplicates logged nothing
    row = alice.row("customer", cid)
    assert (row["city"], row["grade"]) == ("Wuxi", "B")


def test_a_clock_a_year_fast_cannot_win_later_edits_and_a_day_slow_one_still_can(
    laptop,
) -> None:
    fast, normal, slow = laptop(), laptop(), laptop()
    cid = normal.db.repos.customers.create({"name": "Skew Works"}).id
    for lap in (normal, fast, slow):
        lap.sync()
    fast.clock.fixed = fast.clock.now() + timedelta(days=365)
    fast.db.repos.customers.update(cid, {"city": "Far Future"})
    fast.sync()
    time.sleep(0.01)
    normal.db.repos.customers.update(cid, {"city": "Now"})  # later in real time: wins
    normal.sync()
    fast.sync()
    assert fast.row("customer", cid)["city"] == normal.row("customer", cid)["city"] == "Now"
    assert any(c["losing_value"] == "Far Future" for c in normal.conflicts() + fast.conflicts())
    # A laptop a day slow that has synced orders its next edit after what it saw.
    slow.clock.fixed = slow.clock.now() - timedelta(days=1)
    slow.sync()
    slow.db.repos.customers.update(cid, {"city": "Slow but later"})
    slow.sync()
    for lap in (normal, fast):
        lap.sync()
        assert lap.row("customer", cid)["city"] == "Slow but later"


def _backup(path: Path, to: Path) -> None:
    with sqlite3.connect(path) as src, sqlite3.connect(to) as dst:
        src.backup(dst)


def test_a_laptop_restored_from_backup_renews_itself_and_pushes_once(laptop, server) -> None:
    """Issue 14 item 4: no admin, no new enrolment code: on the 409 the laptop re-registers
    as a new device with its still-valid token, renumbers its pending changes, pushes them
    once and says so."""
    from crm_tui.sync.client import load_login

    alice = laptop()
    first = alice.db.repos.customers.create({"name": "Backup One"}).id
    alice.sync()
    backup = alice.path.with_name("alice-backup.db")
    _backup(alice.path, backup)
    second = alice.db.repos.customers.create({"name": "After Backup"}).id
    alice.sync()
    # The disk dies; the laptop comes back from last week's backup and is edited again.
    alice.db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{alice.path}{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, alice.path)
    alice.db = open_database(alice.path, alice.clock)
    third = alice.db.repos.customers.create({"name": "On The Restored Disk"}).id
    fourth = alice.db.repos.customers.create({"name": "Also Restored"}).id
    old = load_login(alice.path)
    report = alice.sync()
    assert "re-registered as a new device and pushed 2 pending changes" in report.summary()
    assert report.rejected == 0 and alice.db.pending_changes() == 0
    new = load_login(alice.path)
    assert new.token != old.token and new.device_id != old.device_id
    assert (alice.path.with_name(alice.path.name + ".login").stat().st_mode & 0o777) == 0o600
    with httpx.Client(base_url=server.url, verify=_tls_context()) as http:
        auth = {"Authorization": f"Bearer {old.token}"}
        stale = http.get("/sync/pull", headers=version_headers() | auth)
    assert stale.status_code == 401  # the old device is revoked
    for row_id in (first, second, third, fourth):  # nothing lost from either timeline
        assert alice.row("customer", row_id)["deleted"] is False
    bob = laptop("manager")
    bob.sync()
    assert all(bob.row("customer", i) is not None for i in (first, second, third, fourth))
    # The next edit syncs normally: no second 409, no second renewal.
    alice.db.repos.customers.update(third, {"city": "Wuhan"})
    again = alice.sync()
    assert again.pushed == 1 and not again.notes
    assert load_login(alice.path).device_id == new.device_id


def test_an_older_servers_409_without_a_code_still_stands(laptop) -> None:
    alice = laptop()
    alice.db.repos.customers.create({"name": "Old Server Co"})

    def refuse(wire: Wire, request: httpx.Request, response: httpx.Response):  # noqa: ANN202
        response.close()
        return httpx.Response(
            409,
            json={"detail": "change 1 was already used on this device. Log in again"},
            request=request,
        )

    alice.transport = Wire(after=refuse)
    with alice.client() as client, pytest.raises(SeqConflictError, match="Log in again"):
        sync_once(alice.db, client)
    assert alice.db.pending_changes() == 1  # kept


def test_a_token_revoked_mid_sync_keeps_what_was_pushed_and_loses_nothing(laptop, server) -> None:
    alice, bob = laptop(), laptop()
    bob.db.repos.customers.create({"name": "Before Revoke"})
    bob.sync()
    cid = alice.db.repos.customers.create({"name": "Pushed Then Revoked"}).id

    def revoke_after_push(phase: str, done: int, total: int | None) -> None:
        if phase == "push":
            assert server.revoke(alice.name).exit_code == 0

    with alice.client() as client, pytest.raises(AuthError, match="revoked"):
        sync_once(alice.db, client, progress=revoke_after_push)
    assert alice.db.pending_changes() == 0  # the push was answered and recorded
    assert "revoked" in alice.db.state("last_sync_error")
    alice.db.repos.customers.update(cid, {"city": "Offline edit"})
    code = server.add_user(alice.name)  # the admin lets her back in
    result = crm("--db", str(alice.path), "login", server.url, "--user", alice.name, "--code", code)
    assert result.exit_code == 0, result.output
    alice.sync()
    bob.sync()
    assert bob.row("customer", cid)["city"] == "Offline edit"
    assert alice.db.repos.customers.search("Before Revoke")


def test_429_waits_as_long_as_retry_after_says_then_succeeds(laptop) -> None:
    alice = laptop()
    alice.db.repos.customers.create({"name": "Busy Day"})
    waits: list[float] = []

    def busy_twice(wire: Wire, request: httpx.Request, response: httpx.Response):  # noqa: ANN202
        if wire.pushes <= 2:
            response.close()
            return httpx.Response(429, headers={"Retry-After": "3"}, request=request)
        return response

    alice.transport = Wire(after=busy_twice)
    with alice.client(sleep=waits.append) as client:
        report = sync_once(alice.db, client)
    assert report.pushed == 1 and alice.db.pending_changes() == 0
    assert waits[0::2] == [3.0, 3.0]  # Retry-After honoured on each 429
    assert 0 < waits[1] < waits[3]  # and the backoff between attempts grows


def test_a_payload_over_the_size_limit_is_a_clear_error_and_the_change_is_kept(
    laptop,
) -> None:
    # A manager's announcement: its body may be 50,000 characters (customer notes are capped
    # at 4,000 now), so 440 long edits make a batch over the server's 8 MB body limit.
    alice = laptop("manager")
    aid = alice.db.repos.announcements.create({"title": "Big Notice"}).id
    with alice.db.transaction() as s:  # 440 long edits (written straight to the outbox: fast)
        for i in range(440):
            alice.db.append_outbox(
                s,
                entity="announcement",
                row_id=aid,
                kind="patch",
                payload={"body": f"{i:03d}" + "x" * 19_000},
                base_version=0,
                hlc=alice.db.tick(s),
            )
    with alice.client() as client, pytest.raises(SyncError, match="413|smaller batches"):
        sync_once(alice.db, client, batch=440)
    assert alice.db.pending_changes() == 441
    with alice.client() as client:  # smaller batches go through
        sync_once(alice.db, client, batch=100)
    assert alice.db.pending_changes() == 0
    assert alice.row("announcement", aid)["body"].startswith("439")
