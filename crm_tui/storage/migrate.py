"""Provides schema migrations: numbered SQL files applied in order, each in one transaction.

Applied versions are recorded in `schema_migrations`, so a database from any earlier
version is brought up to date on open. Migrations never drop the outbox.

Every start of the app checks its book: the folder's names say which versions exist, and
only a migration still to apply is read (reading every file at each start cost twice the
check itself, and importlib.resources was imported for it).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_NAME_RE = re.compile(r"^(\d{4})_([\w]+)\.sql$")
_FOLDER = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def _files() -> Iterator[tuple[int, str, Any]]:
    """(version, name, file) for each migration file, unread and unsorted."""
    if _FOLDER.is_dir():
        entries: Any = (Path(entry.path) for entry in os.scandir(_FOLDER))
    else:  # installed where the package is not plain files (a zip)
        from importlib import resources

        entries = (resources.files("crm_tui.storage") / "migrations").iterdir()
    for entry in entries:
        m = _NAME_RE.match(entry.name)
        if m:
            yield int(m.group(1)), m.group(2), entry


def all_migrations() -> list[Migration]:
    found = [
        Migration(version, name, entry.read_text("utf-8")) for version, name, entry in _files()
    ]
    return sorted(found, key=lambda mig: mig.version)


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> list[int]:
    """Apply every migration not yet applied (up to `upto`); returns the versions applied."""
    done = applied_versions(conn)
    pending = sorted(
        (
            (version, name, entry)
            for version, name, entry in _files()
            if version not in done and (upto is None or version <= upto)
        ),
        key=lambda found: found[0],
    )
    applied = []
    for version, name, entry in pending:
        stamp = datetime.now(UTC).isoformat()
        script = (
            "BEGIN;\n" + entry.read_text("utf-8") + "\n;INSERT INTO schema_migrations VALUES "
            f"({version}, '{name}', '{stamp}');\nCOMMIT;"
        )
        try:
            conn.executescript(script)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise RuntimeError(f"migration {version:04d}_{name} failed: {exc}") from exc
        applied.append(version)
    return applied


def migrate_file(path: Path, upto: int | None = None) -> list[int]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return migrate(conn, upto)
    finally:
        conn.close()
