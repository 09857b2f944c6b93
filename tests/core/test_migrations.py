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


def test_conflicts_and_parked_rows_survive_the_issue_14_rebuilds(tmp_path: Path, clock) -> None:
    """0060 and 0061 rebuild `conflict` and `pull_parked`: rows and ids kept, new kinds in."""
    path = tmp_path / "v50.db"
    migrate_file(path, upto=50)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO conflict (id, entity, row_id, field, kind, losing_value, at) "
        "VALUES (7, 'customer', 'c1', 'city', 'rejected', '\"Hefei\"', '2026-01-01')"
    )
    conn.execute(
        "INSERT INTO pull_parked (row_id, entity, seq, change, waits_for) "
        "VALUES ('k1', 'contact', 3, '{}', 'c9')"
    )
    conn.commit()
    conn.close()
    db = open_database(path, clock)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT id, kind, losing_value FROM conflict").fetchall() == [
        (7, "rejected", '"Hefei"')
    ]
    assert conn.execute("SELECT row_id, waits_for, reason FROM pull_parked").fetchall() == [
        ("k1", "c9", None)
    ]
    conn.execute(  # the new kind and a parked row with a reason (no parent) are accepted
        "INSERT INTO conflict (entity, row_id, field, kind, at) "
        "VALUES ('customer', 'c1', 'notes', 'deleted', '2026-01-02')"
    )
    conn.execute(
        "INSERT INTO pull_parked (row_id, entity, seq, change, reason) "
        "VALUES ('e1', 'expense', 4, '{}', 'OverflowError')"
    )
    conn.commit()
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_conflict_open", "ix_pull_parked_waits"} <= indexes
    conn.close()
    db.close()
