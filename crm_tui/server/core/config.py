"""Provides the server's settings: where its database is and the limits it enforces."""

from __future__ import annotations

import os
from dataclasses import dataclass

from crm_tui.config import data_dir
from crm_tui.domain.hlc import MAX_FUTURE_MS
from crm_tui.sync.protocol import MAX_BODY_BYTES

DATABASE_URL_ENV = "CRM_SERVER_DATABASE_URL"


def default_database_url() -> str:
    """A SQLite file in the data folder: enough for one machine serving a small team."""
    return f"sqlite:///{data_dir() / 'server.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    """SQLAlchemy URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB."""
    max_body_bytes: int = MAX_BODY_BYTES
    """Requests larger than this are refused with 413 before they are parsed."""
    max_clock_ahead_ms: int = MAX_FUTURE_MS
    """Clocks further than this in the server's future are pulled back to its own time."""
    enrolment_days: int = 14
    """How long a one-time enrolment code stays valid."""


def get_settings(database_url: str | None = None) -> Settings:
    url = database_url or os.environ.get(DATABASE_URL_ENV) or default_database_url()
    return Settings(database_url=url)
