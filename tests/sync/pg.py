"""Provides a throwaway PostgreSQL cluster for the sync tests and a `crm server` runner.

The cluster is made once per test session with the system's PostgreSQL 15 binaries
(initdb/pg_ctl, run as the `postgres` user when the tests run as root) in a temporary
folder, listening on a Unix socket only, with fsync off: it exists for the length of the
run. Without the binaries the PostgreSQL tests skip, unless CRM_REQUIRE_POSTGRES=1 (as CI
sets it), when they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

PG_BIN = Path(os.environ.get("CRM_PG_BIN", "/usr/lib/postgresql/15/bin"))
REQUIRE_ENV = "CRM_REQUIRE_POSTGRES"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    folder: Path
    socket_dir: Path
    port: int
    user: str

    def url(self, database: str) -> str:
        return (
            f"postgresql+psycopg://{self.user}@/{database}?host={self.socket_dir}&port={self.port}"
        )

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=self.user,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_owner(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: hand the cluster to the postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV}=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not (initdb.exists() and pg_ctl.exists()):
        _missing(f"no PostgreSQL binaries in {PG_BIN}")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        _missing("running as root without runuser to become postgres")
    folder = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sock, "postgres")
    os.chmod(folder, 0o755)
    port = free_port()
    try:
        subprocess.run(
            _as_owner(
                [
                    str(initdb),
                    "-D",
                    str(data),
                    "-U",
                    user,
                    "-A",
                    "trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale",
                    "C",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        subprocess.run(
            _as_owner(
                [
                    str(pg_ctl),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(folder / "pg.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        _missing(f"the PostgreSQL cluster did not start: {exc.stderr.decode()[-500:]}")
    try:
        yield Cluster(folder, sock, port, user)
    finally:
        subprocess.run(
            _as_owner([str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


# --- a real `crm server` process -----------------------------------------------------------
@dataclass
class ServerProcess:
    url: str
    database_url: str
    proc: subprocess.Popen
    folder: Path
    port: int

    def stop(self, *, kill: bool = False) -> None:
        if self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def start_server(
    database_url: str,
    folder: Path,
    port: int | None = None,
    env: dict[str, str] | None = None,
    workers: int = 1,
) -> ServerProcess:
    """Start `crm server` on a loopback port and wait until /health answers (`env`: extra
    variables, e.g. the sign-in limits, which are lifted by default: every test signs in
    from 127.0.0.1; `workers`: uvicorn worker processes, `crm server --workers N`)."""
    port = port or free_port()
    exe = Path(sys.executable).with_name("crm")
    log = (folder / f"server-{port}.log").open("a")
    proc = subprocess.Popen(
        [
            str(exe),
            "server",
            "--workers",
            str(workers),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ
        | {"PYTHONUNBUFFERED": "1", "CRM_SERVER_SIGNIN_PER_ADDRESS": "100000"}
        | (env or {}),
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=1) as probe:
        while True:
            try:
                if probe.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((folder / f"server-{port}.log").read_text())
            time.sleep(0.05)
    return ServerProcess(url, database_url, proc, folder, port)


def sqlite_server(name: str):
    """A `server` fixture for a test module outside tests/sync: a `crm server` process on a
    SQLite file of its own (one team per server: a module's managers see only its records),
    stopped when the module is done, not left idle until the session ends (an idle server
    still wakes every second for its WAL checkpoints)."""
    from tests.sync.conftest import Server

    @pytest.fixture(scope="module", name="server")
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:  # noqa: F811
        folder = tmp_path_factory.mktemp(f"{name}-server")
        running = start_server(f"sqlite:///{folder / 'server.db'}", folder)
        yield Server(running.url, running.database_url, running.proc)
        running.stop()

    return server


def pg_server(name: str, scope: str = "module"):
    """A `server` fixture for a test module: a `crm server` process on a fresh database
    `crm_<name>` of the throwaway cluster, in place of the SQLite one of conftest.py."""
    from tests.sync.conftest import Server

    @pytest.fixture(scope=scope, name="server")
    def server(pg_cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:  # noqa: F811
        folder = tmp_path_factory.mktemp(f"pg-{name}-server")
        url = pg_cluster.create_database(f"crm_{name}")
        running = start_server(url, folder)
        yield Server(running.url, url, running.proc)
        running.stop()

    return server
