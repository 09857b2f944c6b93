"""Provides the server's settings: where its database is and the limits it enforces."""

from __future__ import annotations

import os
from dataclasses import dataclass

from crm_tui.config import data_dir
from crm_tui.server.core.clock import SERVER_MAX_AHEAD_MS
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
    max_clock_ahead_ms: int = SERVER_MAX_AHEAD_MS
    """Clocks further than this in the server's future are pulled back to its own time."""
    enrolment_days: int = 14
    """How long a one-time enrolment code stays valid."""
    signin_per_address: int = 30
    """Failed sign-ins (bad codes, unknown tokens) from one address per window before 429."""
    signin_per_user: int = 10
    """Failed enrolments for one user name per window before 429."""
    signin_window_s: int = 300
    """The window failures are counted in, and how long a blocked key stays blocked."""


# Environment overrides of the sign-in limits (tests and large offices behind one NAT).
LIMIT_ENV = {
    "signin_per_address": "CRM_SERVER_SIGNIN_PER_ADDRESS",
    "signin_per_user": "CRM_SERVER_SIGNIN_PER_USER",
    "signin_window_s": "CRM_SERVER_SIGNIN_WINDOW_S",
}


def get_settings(database_url: str | None = None) -> Settings:
    url = database_url or os.environ.get(DATABASE_URL_ENV) or default_database_url()
    limits = {name: int(os.environ[env]) for name, env in LIMIT_ENV.items() if os.environ.get(env)}
    return Settings(database_url=url, **limits)
