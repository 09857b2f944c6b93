"""Provides where things live (platformdirs data, config and cache folders) and which database.

The database is chosen by, in order: `--db PATH`, the `CRM_DB` environment variable, the
default file in the data folder. Nothing is created at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "crm_tui"
_DIRS = PlatformDirs(APP_NAME, appauthor=False)


def data_dir() -> Path:
    return Path(_DIRS.user_data_dir)


def config_dir() -> Path:
    return Path(_DIRS.user_config_dir)


def cache_dir() -> Path:
    return Path(_DIRS.user_cache_dir)


def default_db_path() -> Path:
    return data_dir() / "crm.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def resolve_db_path(option: str | Path | None) -> Path:
    if option:
        return Path(option).expanduser()
    env = os.environ.get("CRM_DB")
    if env:
        return Path(env).expanduser()
    return default_db_path()
