"""Shared fixtures: a fixed clock in a fixed zone, a real SQLite database file, the CLI."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crm_tui.domain.dates import Clock

ZONE = ZoneInfo("Asia/Shanghai")
# Monday 23 November 2026, 10:00 in Beijing: a fixed "now" for every test that needs one.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)


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
