"""Faults between laptop and server: nothing lost, nothing applied twice."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest

from crm_tui.storage import sync_store
from crm_tui.sync.client import AuthError, OfflineError, _tls_context, outbox_mutations
from crm_tui.sync.protocol import PushRequest
from tests.sync.conftest import crm


class Faulty(httpx.BaseTransport):
    """Forwards to the real server, then loses the answer to `path` the first `times`
    times (after the server committed), or fails `path` with 503 when `status` is set."""

    def __init__(
        self, path: str, times: int = 1, status: int | None = None, after: int = 0
    ) -> None:
        self.inner = httpx.HTTPTransport(verify=_tls_context())
        self.path, self.times, self.status, self.after = path, times, status, after
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == self.path:
            self.calls += 1
            if self.calls > self.after and self.times > 0:
                self.times -= 1
                if self.status:
                    return httpx.Response(self.status, request=request)
                response = self.inner.handle_request(request)
                response.read()
                response.close()
                raise httpx.ReadError("connection reset after the server answered", request=request)
        return self.inner.handle_request(request)


def server_log_entries(server, row_id: str) -> int:
    path = server.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT count(*) FROM change_log WHERE row_id = ?", (row_id,)
        ).fetchone()[0]


def test_lost_push_response_is_retried_without_double_apply(laptop, server) -> None:
    alice = laptop()
    cid = alice.db.repos.customers.create({"name": "Jade Ltd"}).id
    alice.db.repos.customers.update(cid, {"city": "Hefei"})
    alice.transport = Faulty("/sync/push")
    report = alice.sync()
    assert alice.transport.calls == 2  # committed, answer lost, retried with the same seqs
    assert report.duplicates == 2 and report.rejected == 0
    assert alice.db.pending_changes() == 0
    assert server_log_entries(server, cid) == 1  # one batch, applied once
    assert alice.row("customer", cid)["city"] == "Hefei"


def test_crash_between_push_and_outbox_cleanup_is_harmless(laptop, server) -> None:
    alice = laptop()
    cid = alice.db.repos.customers.create({"name": "Kestrel"}).id
    with alice.client() as client:  # pushed, but the laptop "crashed" before recording it
        client.push(PushRequest(mutations=outbox_mutations(alice.db, 10)))
    alice.db.repos.customers.update(cid, {"grade": "A"})
    report = alice.sync()
    assert report.duplicates == 1 and report.pushed == 2
    assert alice.db.pending_changes() == 0
    assert server_log_entries(server, cid) == 2
    assert alice.row("customer", cid)["grade"] == "A"


def test_a_pull_failing_half_way_resumes_from_the_saved_cursor(laptop) -> None:
    alice, bob = laptop(), laptop()
    ids = [alice.db.repos.customers.create({"name": f"Lumen {i}"}).id for i in range(5)]
    alice.sync()
    bob.transport = Faulty("/sync/pull", times=10, status=503, after=1)
    with bob.client(retries=1) as client, pytest.raises(OfflineError):
        sync_store_cursor = sync_store.cursor(bob.db)
        from crm_tui.sync.client import sync_once

        sync_once(bob.db, client, page=2)
    assert sync_store.cursor(bob.db) > sync_store_cursor  # the first page was kept
    assert bob.db.state("online") == "0" and "503" in bob.db.state("last_sync_error")
    bob.transport = None
    bob.sync()
    assert all(bob.row("customer", i) is not None for i in ids)
    assert bob.db.state("online") == "1" and bob.db.state("last_sync_error") is None


def test_transport_errors_and_5xx_are_retried_with_backoff(laptop) -> None:
    alice = laptop()
    alice.db.repos.customers.create({"name": "Meridian"})
    alice.transport = Faulty("/sync/push", times=2, status=503)
    assert alice.sync().pushed == 1
    assert alice.transport.calls == 3


def test_revoked_device_gets_401_and_a_clear_cli_message(laptop, server) -> None:
    alice = laptop()
    alice.db.repos.customers.create({"name": "Nimbus"})
    result = server.revoke(alice.name)
    assert result.exit_code == 0 and "1 device" in result.stdout
    with pytest.raises(AuthError, match="revoked"):
        alice.sync()
    assert "revoked" in alice.db.state("last_sync_error")
    assert alice.db.pending_changes() == 1  # nothing lost: it waits for a new login
    cli = crm("--db", str(alice.path), "sync")
    assert cli.exit_code == 1
    assert "revoked" in cli.stderr and "Traceback" not in cli.output


def test_login_keeps_the_token_private_next_to_its_database(laptop) -> None:
    alice = laptop()
    token_file = alice.path.with_name(alice.path.name + ".login")
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert json.loads(token_file.read_text())["token"]
    assert alice.db.state("user_name") == alice.name and alice.db.state("role") == "rep"
    assert alice.db.state("server_url").startswith("http://127.0.0.1:")


def test_crm_sync_prints_a_summary(laptop) -> None:
    alice = laptop()
    alice.db.repos.customers.create({"name": "Orbit"})
    cli = crm("--db", str(alice.path), "sync", "--quiet")
    assert cli.exit_code == 0, cli.output
    assert "pushed 1, pulled" in cli.stdout and "rejected 0" in cli.stdout


def test_changes_pushed_before_a_new_login_are_not_applied_twice(laptop, server) -> None:
    alice = laptop()
    eid = alice.db.repos.expenses.create({"spent_on": "2026-11-20", "amount": "12"}).id
    alice.db.repos.expenses.submit(eid)
    with alice.client() as client:  # pushed; the answer never recorded; then a new login
        client.push(PushRequest(mutations=outbox_mutations(alice.db, 10)))
    code = server.add_user(alice.name, "rep")
    again = crm("--db", str(alice.path), "login", server.url, "--user", alice.name, "--code", code)
    assert again.exit_code == 0, again.output
    report = alice.sync()
    assert (report.duplicates, report.rejected) == (2, 0)  # the submit is not re-run
    assert server_log_entries(server, eid) == 1
    assert alice.row("expense", eid)["status"] == "submitted"


def test_a_restored_laptop_whose_renewal_is_refused_keeps_the_409_and_its_changes(
    tmp_path,
) -> None:
    """If the server will not renew the device, the original 409 stands; nothing is lost."""
    from crm_tui.domain.dates import Clock
    from crm_tui.storage.database import open_database
    from crm_tui.sync.client import SeqConflictError, SyncClient, sync_once

    db = open_database(tmp_path / "lap.db", Clock())
    db.repos.customers.create({"name": "Stuck Co"})
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/sync/push":
            detail = {
                "message": "change 1 was already used",
                "expected_seq": 7,
                "code": "seq_reused",
            }
            return httpx.Response(409, json={"detail": detail})
        return httpx.Response(401, json={"detail": "this device was revoked"})

    client = SyncClient("http://crm.test", "token", transport=httpx.MockTransport(handler))
    with client, pytest.raises(SeqConflictError, match="already used") as caught:
        sync_once(db, client)
    assert caught.value.code == "seq_reused" and caught.value.expected_seq == 7
    assert asked == ["/sync/push", "/auth/device/renew"]  # renewal tried once, then given up
    assert db.pending_changes() == 1
    db.close()


def test_a_file_signed_in_as_another_user_gets_its_own_clock_node(laptop, server) -> None:
    """The server ties a clock node id to the first user who pushed with it."""
    from tests.sync.conftest import crm as run_crm

    alice = laptop()
    alice.db.repos.customers.create({"name": "Alice First Co"})
    alice.sync()
    node = alice.db.device_id
    code = server.add_user("second-user-" + node[-6:])
    result = run_crm(
        "--db",
        str(alice.path),
        "login",
        server.url,
        "--user",
        "second-user-" + node[-6:],
        "--code",
        code,
    )
    assert result.exit_code == 0, result.output
    alice.db.close()
    from crm_tui.storage.database import open_database

    alice.db = open_database(alice.path, alice.clock)
    assert alice.db.device_id != node
    cid = alice.db.repos.customers.create({"name": "Second User Co"}).id
    report = alice.sync()
    assert report.rejected == 0, report.rejections
    assert alice.row("customer", cid)["owner_id"] == alice.db.user_id
