"""Provides `crm backup` / `crm restore`: a complete JSON snapshot of the local database.

Every table is kept row for row, tombstones, the outbox, sync state, conflicts and the undo
log included, so a restored laptop carries on exactly where it was. The search index is
left out and rebuilt on restore (it is derived data). The file states its format version,
the schema version and a SHA-256 of its contents; restore checks all three before it
touches the database, refuses a database that already holds records unless forced, and
replaces everything in one transaction.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crm_tui.storage.bulk import rebuild_search_index
from crm_tui.storage.engine import connect
from crm_tui.storage.migrate import migrate

FORMAT = "crm-tui-backup"
FORMAT_VERSION = 1
# Derived or bookkeeping tables: rebuilt or kept by the database itself.
_SKIP = ("search_doc", "search_fts", "search_epoch", "schema_migrations")
_SYNCED_CHECK = ("customer", "contact", "activity", "opportunity", "expense", "outbox")


class BackupError(Exception):
    """The backup file cannot be written, read or trusted; nothing was changed."""


def _tables(conn: sqlite3.Connection) -> list[str]:
    names = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return [
        n
        for n in names
        if not n.startswith(_SKIP) and (n == "sqlite_sequence" or not n.startswith("sqlite_"))
    ]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    # table_xinfo marks generated columns as hidden 2 or 3: they cannot be inserted.
    return [row[1] for row in conn.execute(f'PRAGMA table_xinfo("{table}")') if row[6] == 0]


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$bytes" in value:
        return base64.b64decode(value["$bytes"])
    return value


def _digest(tables: dict[str, Any]) -> str:
    canonical = json.dumps(tables, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])


def snapshot(path: Path | str) -> dict[str, Any]:
    """Every table of a database file as {'columns': [...], 'rows': [[...], ...]}."""
    conn = connect(path, readonly=True)
    try:
        conn.execute("BEGIN")  # one consistent read, even while the app is writing
        tables: dict[str, Any] = {}
        for table in _tables(conn):
            columns = _columns(conn, table)
            cols = ", ".join(f'"{c}"' for c in columns)
            rows = [
                [_encode(v) for v in row] for row in conn.execute(f'SELECT {cols} FROM "{table}"')
            ]
            tables[table] = {"columns": columns, "rows": rows}
        version = schema_version(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": version,
        "created_at": datetime.now(UTC).isoformat(),
        "checksum": "sha256:" + _digest(tables),
        "tables": tables,
    }


def write_backup(db_path: Path | str, out: Path | str) -> dict[str, int]:
    """Write the snapshot to `out` (atomically: a temp file renamed into place).

    Returns rows per table.
    """
    if not Path(db_path).exists():
        raise BackupError(f"no database at {db_path}")
    data = snapshot(db_path)
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"cannot write {out}: {exc.strerror or exc}") from None
    return {name: len(t["rows"]) for name, t in data["tables"].items()}


def read_backup(path: Path | str) -> dict[str, Any]:
    """Load and verify a backup file: format, version and checksum."""
    try:
        with Path(path).open("r", encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a crm backup (not JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{path} is not a crm backup file")
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is backup format {data.get('format_version')}; this version of crm reads "
            f"format {FORMAT_VERSION}"
        )
    tables = data.get("tables")
    if not isinstance(tables, dict) or data.get("checksum") != "sha256:" + _digest(tables):
        raise BackupError(f"{path} is damaged: its checksum does not match its contents")
    return data


def has_records(conn: sqlite3.Connection) -> bool:
    for table in _SYNCED_CHECK:
        if conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
            return True
    return False


def restore_backup(path: Path | str, db_path: Path | str, *, force: bool = False) -> dict[str, int]:
    """Replace the database's contents with a verified backup, in one transaction."""
    data = read_backup(path)
    conn = connect(db_path)
    try:
        migrate(conn)
        ours = schema_version(conn)
        if data["schema_version"] > ours:
            raise BackupError(
                f"the backup is from a newer crm (schema {data['schema_version']}, this one "
                f"has {ours}); upgrade crm first"
            )
        if has_records(conn) and not force:
            raise BackupError(
                f"{db_path} already holds records; restoring would replace them "
                "(use --force, or restore into a new --db)"
            )
        present = set(_tables(conn))
        unknown = sorted(set(data["tables"]) - present)
        if unknown:
            raise BackupError(f"the backup has tables this crm does not know: {unknown}")
        counts: dict[str, int] = {}
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("PRAGMA defer_foreign_keys = ON")  # tables load in any order
            for table in present:
                conn.execute(f'DELETE FROM "{table}"')
            # sqlite_sequence last: inserting outbox rows adds its own counter row first.
            ordered = sorted(data["tables"].items(), key=lambda kv: kv[0] == "sqlite_sequence")
            for table, content in ordered:
                if table == "sqlite_sequence":
                    conn.execute("DELETE FROM sqlite_sequence")
                columns = content["columns"]
                have = set(_columns(conn, table))
                missing = [c for c in columns if c not in have]
                if missing:
                    raise BackupError(f"table {table} has no columns {missing} here")
                cols = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                # OR REPLACE: tables the triggers fill as rows arrive (insight_dirty) take
                # the backup's rows over their own; the other tables were emptied above.
                conn.executemany(
                    f'INSERT OR REPLACE INTO "{table}" ({cols}) VALUES ({marks})',
                    ([_decode(v) for v in row] for row in content["rows"]),
                )
                counts[table] = len(content["rows"])
            rebuild_search_index(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed, nothing was changed: {exc}") from None
    finally:
        conn.close()
    return counts
