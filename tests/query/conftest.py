"""Fixtures for the query language, urgency and reminders: a real SQLite file, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.storage.database import Database, open_database

# Monday 2026-11-23 10:00 in Shanghai.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock() -> Clock:
    return Clock(fixed=NOW, zone=ZONE)


@pytest.fixture
def db(tmp_path, clock) -> Database:
    database = open_database(tmp_path / "crm.db", clock)
    database.set_state("user_id", "u-me")
    yield database
    database.close()
