"""Fixtures for sync tests: one real `crm server` process per test module (own SQLite file,
free loopback port) and laptops: real client databases signed in through the `crm` CLI."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from crm_tui.cli import app
from crm_tui.domain.dates import Clock
from crm_tui.storage.database import Database, open_database
from crm_tui.sync.client import SyncClient, SyncReport, sync_once

ZONE = ZoneInfo("Asia/Shanghai")
_CODE_RE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def crm(*args: str) -> Any:
    """Run the `crm` CLI in-process (the same commands, without the start-up cost)."""
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@dataclass
class Server:
    url: str
    database_url: str
    proc: subprocess.Popen

    def add_user(self, name: str, role: str = "rep") -> str:
        with _no_leaked_checkpointer():
            result = crm(
                "server", "--database-url", self.database_url, "add-user", name, "--role", role
            )
        assert result.exit_code == 0, result.output
        found = _CODE_RE.search(result.stdout)
        assert found, result.output
        return found.group(0)

    def revoke(self, name: str) -> Any:
        with _no_leaked_checkpointer():
            return crm("server", "--database-url", self.database_url, "revoke", name)


@contextmanager
def _no_leaked_checkpointer() -> Iterator[None]:
    """Stop the WAL checkpoint thread an in-process `crm server …` command leaves running.

    The command opens the server's SQLite database and, run as a process, exits; run in
    the test process its thread (server/core/db.py's Checkpointer, waking every second)
    stayed for the rest of the session: one more per enrolled laptop, hundreds by the end."""
    before = set(threading.enumerate())
    try:
        yield
    finally:
        for thread in set(threading.enumerate()) - before:
            if thread.name == "sqlite-checkpoint" and hasattr(thread, "stop"):
                thread.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server per module: one team per server, so a new laptop's first sync pulls only its
    module's records. Shared by the whole session it held every earlier sync test's records
    by the end (a late test's first syncs cost up to 7x an early one's: 0.3 -> 2.1 s CPU in
    test_overwritten_notice) and tests failed on other modules' data (617bea5)."""
    folder = tmp_path_factory.mktemp("server")
    database_url = f"sqlite:///{folder / 'server.db'}"
    port = free_port()
    exe = Path(sys.executable).with_name("crm")
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [
            str(exe),
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        # Every test signs in from 127.0.0.1: the sign-in limit is tested on its own server
        # (test_hostile_signin.py).
        env=os.environ | {"PYTHONUNBUFFERED": "1", "CRM_SERVER_SIGNIN_PER_ADDRESS": "100000"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    probe = httpx.Client(timeout=1)
    while True:
        try:
            if probe.get(f"{url}/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError((folder / "server.log").read_text())
        time.sleep(0.1)
    probe.close()
    yield Server(url, database_url, proc)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@dataclass
class Laptop:
    """One rep's (or manager's) database, signed in to the test server."""

    name: str
    path: Path
    db: Database
    clock: Clock
    transport: httpx.BaseTransport | None = field(default=None, repr=False)

    def client(self, **kwargs: Any) -> SyncClient:
        kwargs.setdefault("transport", self.transport)
        return SyncClient.for_database(self.path, backoff=0.01, **kwargs)

    def sync(self) -> SyncReport:
        with self.client() as client:
            return sync_once(self.db, client, batch=50, page=100)

    def row(self, entity: str, row_id: str) -> dict[str, Any] | None:
        repo = self.db.repos.by_entity[entity]
        rec = repo.get(row_id, include_deleted=True)
        if rec is None:
            return None
        return {
            k: getattr(rec, k)
            for k in (*repo.spec.field_names, "deleted", "owner_id")
            if hasattr(rec, k)
        }

    def conflicts(self) -> list[dict[str, Any]]:
        from crm_tui.storage.sync_store import conflicts

        return conflicts(self.db)


@pytest.fixture
def laptop(server: Server, tmp_path: Path) -> Iterator[Any]:
    """Factory: laptop("rep") or laptop("manager") enrols a fresh member via the CLI."""
    made: list[Laptop] = []

    def make(role: str = "rep", name: str | None = None) -> Laptop:
        name = name or f"{role}-{uuid.uuid4().hex[:8]}"
        code = server.add_user(name, role)
        path = tmp_path / f"{name}.db"
        result = crm("--db", str(path), "login", server.url, "--user", name, "--code", code)
        assert result.exit_code == 0, result.output
        clock = Clock(zone=ZONE)
        lap = Laptop(name, path, open_database(path, clock), clock)
        made.append(lap)
        return lap

    yield make
    for lap in made:
        lap.db.close()
