"""A signed-in book for the pool's CLI and screen tests: alice (rep) and bob and boss on the
team, customers owned, pooled (released by someone) and another rep's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crm_tui.cli import app
from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import to_wire
from crm_tui.storage.database import Database, open_database
from crm_tui.storage.ids import new_id

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
ALICE, BOB, BOSS = "u-alice", "u-bob", "u-boss"


def pulled(db: Database, entity: str, fields: dict[str, Any], owner: str | None) -> str:
    """A row as a sync pull writes it (someone else's, or the team's)."""
    row_id = new_id()
    with db.transaction() as s:
        db.repos.by_entity[entity].apply_remote(
            s,
            row_id,
            {"fields": {k: to_wire(v) for k, v in fields.items()}, "owner_id": owner},
            version=1,
        )
    return row_id


def sign_in(db: Database, user_id: str, role: str = "rep") -> None:
    db.set_state("user_id", user_id)
    db.set_state("role", role)


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "pool.db"
    db = open_database(path, Clock(fixed=NOW))
    for uid, name, role in (
        (ALICE, "alice", "rep"),
        (BOB, "bob", "rep"),
        (BOSS, "boss", "manager"),
    ):
        with db.transaction() as s:
            db.repos.users.apply_remote(
                s, uid, {"fields": {"name": name, "role": role}, "owner_id": uid}, version=1
            )
    sign_in(db, ALICE)
    db.repos.customers.create({"name": "自己的客户", "city": "北京"})
    pulled(
        db,
        "customer",
        {
            "name": "上海机电",
            "city": "上海",
            "grade": "A",
            "pool_since": NOW - timedelta(days=3),
            "previous_owner_id": BOB,
        },
        None,
    )
    pulled(
        db,
        "customer",
        {
            "name": "广州物流",
            "city": "广州",
            "grade": "B",
            "pool_since": NOW - timedelta(days=60),
            "previous_owner_id": BOB,
        },
        None,
    )
    pulled(
        db,
        "customer",
        {
            "name": "杭州回收",
            "city": "杭州",
            "pool_since": NOW - timedelta(days=3),
            "previous_owner_id": ALICE,
        },
        None,
    )
    pulled(db, "customer", {"name": "鲍勃的客户", "city": "上海"}, BOB)
    db.close()
    return path


def crm(path: Path, *args: str, now: datetime = NOW) -> Any:
    return CliRunner().invoke(
        app, ["--db", str(path), "--now", now.isoformat(), *args], catch_exceptions=False
    )


def open_book(path: Path) -> Database:
    return open_database(path, Clock(fixed=NOW))
