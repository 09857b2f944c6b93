"""Schema migrations: a database from every earlier version opens, upgraded, data intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect

from crm_tui.domain.models import MODELS
from crm_tui.storage.database import open_database
from crm_tui.storage.migrate import all_migrations, migrate_file

VERSIONS = [m.version for m in all_migrations()]


@pytest.mark.parametrize("start", VERSIONS[:-1])
def test_open_upgrades_from_every_earlier_version(tmp_path: Path, clock, start: int) -> None:
    path = tmp_path / f"v{start}.db"
    migrate_file(path, upto=start)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO customer (id, created_at, updated_at, name) VALUES "
        "('c1', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', '老客户')"
    )
    conn.execute(
        "INSERT INTO outbox (mutation_id, entity, row_id, kind, payload, hlc) "
        "VALUES ('m1', 'customer', 'c1', 'create', '{}', 'h')"
    )
    conn.commit()
    conn.close()
    db = open_database(path, clock)
    applied = {r[0] for r in sqlite3.connect(path).execute("SELECT version FROM schema_migrations")}
    assert applied == set(VERSIONS)
    assert db.repos.customers.require("c1").name == "老客户"
    assert db.pending_changes() == 1  # migrations never drop the outbox
    db.repos.customers.update("c1", {"city": "北京"})  # and the old row works with new code
    db.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    assert migrate_file(path) == VERSIONS
    assert migrate_file(path) == []


def test_models_match_the_migrated_schema(db) -> None:
    """Every model column exists in the table the migrations made, and vice versa."""
    inspector = inspect(db.engine)
    for name, model in MODELS.items():
        table_cols = {c["name"] for c in inspector.get_columns(model.__tablename__)}
        model_cols = set(model.__table__.columns.keys())
        generated = {c for c in table_cols if c.endswith("_md")}  # virtual helper columns
        assert model_cols == table_cols - generated, name
