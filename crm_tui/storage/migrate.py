"""Provides schema migrations: numbered SQL files applied in order, each in one transaction.

Applied versions are recorded in `schema_migrations`, so a database from any earlier
version is brought up to date on open. Migrations never drop the outbox.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

_NAME_RE = re.compile(r"^(\d{4})_([\w]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def all_migrations() -> list[Migration]:
    folder = resources.files("crm_tui.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        m = _NAME_RE.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
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
    applied = []
    for mig in all_migrations():
        if mig.version in done or (upto is not None and mig.version > upto):
            continue
        stamp = datetime.now(UTC).isoformat()
        script = (
            "BEGIN;\n" + mig.sql + "\n;INSERT INTO schema_migrations VALUES "
            f"({mig.version}, '{mig.name}', '{stamp}');\nCOMMIT;"
        )
        try:
            conn.executescript(script)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise RuntimeError(f"migration {mig.version:04d}_{mig.name} failed: {exc}") from exc
        applied.append(mig.version)
    return applied


def migrate_file(path: Path, upto: int | None = None) -> list[int]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return migrate(conn, upto)
    finally:
        conn.close()
