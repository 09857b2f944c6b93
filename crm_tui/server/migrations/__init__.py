"""Provides `upgrade`: the server schema brought to the newest Alembic revision on start.

The scripts live in this package (`versions/`), so an installed server migrates itself
without an alembic.ini. A database made by the first server release (`create_all` plus
`server_meta.schema_version = 1`, no `alembic_version`) is recognised and stamped at
revision 1 instead of being created again. All revisions run in one transaction (both
SQLite and PostgreSQL have transactional DDL); on PostgreSQL an advisory lock keeps two
servers starting at once from migrating twice.

To change the server schema: change server/models.py and add `versions/NNNN_name.py` with
`down_revision` set to the newest one (never edit a released revision).
tests/sync/test_server_migrations.py fails while the two disagree.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, inspect, text

FOLDER = Path(__file__).parent
FIRST = "0001"
_LOCK_KEY = 0x63726D5F  # 'crm_' : one advisory lock id for schema changes


def _config(connection: Connection):  # -> alembic.config.Config (imported lazily)
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(FOLDER))
    cfg.attributes["connection"] = connection
    return cfg


def current(connection: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(FOLDER)).get_current_head() or FIRST


def is_pre_alembic(connection: Connection) -> bool:
    """A database the first release made with create_all: its tables, no alembic_version."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables or "server_meta" not in tables:
        return False
    version = connection.execute(
        text("SELECT value FROM server_meta WHERE key = 'schema_version'")
    ).scalar()
    return version == "1" and "record" in tables


def newest_file() -> str:
    """The newest revision by file name (`versions/NNNN_name.py`, revision id NNNN): lets a
    start on an up-to-date database skip importing Alembic (~0.3 s)."""
    return max(p.name.split("_", 1)[0] for p in (FOLDER / "versions").glob("[0-9]*_*.py"))


def _stamped(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(connection: Connection, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema on `connection` (inside its transaction) to `target`; returns the
    (before, after) revisions."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    if target == "head" and (stamped := _stamped(connection)) == newest_file():
        return stamped, stamped
    from alembic import command

    cfg = _config(connection)
    before = current(connection)
    if before is None and is_pre_alembic(connection):
        command.stamp(cfg, FIRST)
        before = FIRST
    command.upgrade(cfg, target)
    return before, current(connection)
