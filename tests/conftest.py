"""Shared fixtures: a fixed clock in a fixed zone, a real SQLite database file, the CLI;
and the suite's speed set-up: compiled bytecode kept for the processes tests start, and
fresh books copied from one migrated per session."""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from crm_tui.cli import app
from crm_tui.domain.dates import Clock

ZONE = ZoneInfo("Asia/Shanghai")
# Monday 23 November 2026, 10:00 in Beijing: a fixed "now" for every test that needs one.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)


def pytest_configure(config: pytest.Config) -> None:
    """Fewer garbage-collector passes, and let this run and the processes it starts keep
    compiled bytecode.

    A test process holds a large heap (Textual, SQLAlchemy, FastAPI, Hypothesis…) and each
    Pilot app makes objects that outlive a few young collections: at the default thresholds
    (700, 10, 10) about a fifth of a test process's CPU went to the collector, mostly full
    passes over that heap (7.6 of 34.5 s, four tui/cli/speed files at -n 0; 2.6 s at
    10,000). Cycles are still collected, only in larger batches.

    With PYTHONDONTWRITEBYTECODE=1 (set on the CI machine) every `crm server`, CLI and
    bench process a test starts compiled every module it imports from source again (about
    2 s of CPU for the server's imports). Bytecode goes to a folder outside the checkout
    (PYTHONPYCACHEPREFIX), so the tree stays as it was; xdist workers start after this and
    inherit it. CRM_TEST_PYCACHE=0 keeps the machine's setting."""
    gc.set_threshold(10_000, 10, 10)
    if (
        os.environ.get("PYTHONDONTWRITEBYTECODE") != "1"
        or os.environ.get("CRM_TEST_PYCACHE") == "0"
    ):
        return
    prefix = os.environ.get("PYTHONPYCACHEPREFIX") or os.path.join(
        tempfile.gettempdir(), f"crm-tui-pycache-{os.getuid()}"
    )
    os.makedirs(prefix, exist_ok=True)
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.pycache_prefix = prefix
    sys.dont_write_bytecode = False


@pytest.fixture(scope="session", autouse=True)
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A book opened on a new, empty file starts as a copy of one migrated once per session.

    Running the ~30 migrations is 3/4 of opening a new file (about 35 ms of CPU), and the
    suite opens thousands. Only `Store`'s call is replaced, and only for an empty file:
    the copy is what `migrate` made of an empty file in this session; a file with anything
    in it (an older book, a test's half-migrated file) is migrated for real, and the
    migration tests call storage/migrate.py directly."""
    from crm_tui.storage import engine, store
    from crm_tui.storage.migrate import migrate

    path = tmp_path_factory.mktemp("template") / "migrated.db"
    conn = engine.connect(path)
    migrate(conn)
    conn.close()

    def migrate_or_copy(conn: sqlite3.Connection, upto: int | None = None) -> list[int]:
        if upto is None and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None:
            template = sqlite3.connect(path)
            try:
                template.backup(conn)
            finally:
                template.close()
        return migrate(conn, upto)  # applies nothing after a copy; the rest as ever

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "migrate", migrate_or_copy)
        yield


@pytest.fixture
def short_tmp_path() -> Iterator[Path]:
    """A new folder with a short path (/tmp/crm…, removed after): for Pilot tests that type
    a file's path key by key, each key a round of the app (tmp_path is ~75 characters)."""
    folder = Path(tempfile.mkdtemp(prefix="crm"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clock() -> Clock:
    return Clock(fixed=NOW, zone=ZONE)


@pytest.fixture
def db(tmp_path: Path, clock: Clock) -> Iterator:
    from crm_tui.storage.database import open_database

    database = open_database(tmp_path / "crm.db", clock)
    yield database
    database.close()


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the developer's real data, config or cache folders."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.delenv("CRM_DB", raising=False)
    monkeypatch.delenv("CRM_NOW", raising=False)
    # The CLI reads the machine's zone: pin it so local dates in assertions are stable.
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()


@pytest.fixture(autouse=True)
def _no_leaked_checkpointers() -> Iterator[None]:
    """Stop the server WAL checkpoint threads a test started and left running (an in-process
    `crm server …` command or a ServerDB never closed): each wakes every second for the
    rest of the session otherwise. Fixtures of a wider scope started theirs before this."""
    before = set(threading.enumerate())
    yield
    for thread in set(threading.enumerate()) - before:
        if thread.name == "sqlite-checkpoint" and hasattr(thread, "stop"):
            thread.stop()


class CliResult:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def crm(db_path: Path) -> Callable[..., CliResult]:
    """Run `crm --db <tmp> --now <fixed> ARGS…` in-process, like a shell would."""
    runner = CliRunner()

    def run(*args: str, db: Path | None = None) -> CliResult:
        result = runner.invoke(
            app,
            ["--db", str(db or db_path), "--now", "2026-11-23T10:00:00+08:00", *args],
            catch_exceptions=False,
        )
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


# Modules whose tests take tens of seconds each (real servers killed and restarted,
# Hypothesis state machines, schemathesis, the bench smoke run): `-m "not slow"` skips them.
SLOW_MODULES = {
    "test_faults_hard.py",
    "test_stateful.py",
    "test_schemathesis.py",
    "test_hostile_fuzz.py",
    "test_fuzz.py",
    "test_pty_harness.py",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark PostgreSQL tests (they use the throwaway cluster) and the slow modules, so
    `uv run pytest -m "not slow and not postgres"` is the fast subset."""
    for item in items:
        if "pg_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
