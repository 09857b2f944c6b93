"""Server migrations (Alembic, run on every start): a fresh database, a database made by the
first release's create_all (stamped and upgraded with its rows kept), on SQLite and
PostgreSQL; and the migrated schema equals the server's models."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crm_tui.server.core.db import ServerDB
from crm_tui.server.migrations import FIRST, head, newest_file
from crm_tui.server.models import TABLES, ChangeCounter, Record, ServerMeta, ServerModel
from tests.sync.conftest import crm
from tests.sync.pg import pg_cluster  # noqa: F401 - pytest fixture

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
INDEX = "ix_record_customer_ref"  # made by revision 0002


@pytest.fixture(params=["sqlite", "postgresql"])
def new_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Factory of empty server database URLs on one backend."""
    if request.param == "sqlite":
        return lambda: f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    return lambda: cluster.create_database(f"mig_{uuid.uuid4().hex[:10]}")


def _old_release_database(url: str) -> None:
    """What the first server release left: create_all, counter, schema_version 1, rows."""
    from sqlmodel import Session

    engine = (
        ServerDB(url).engine if url.startswith("sqlite") else create_engine(url)
    )  # the same engine set-up the old release used
    ServerModel.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as s:
        s.add(ChangeCounter(id=1, value=7))
        s.add(ServerMeta(key="schema_version", value="1"))
        s.add(
            Record(
                id="c-1",
                entity="contact",
                owner_id="u-1",
                partition="team",
                version=7,
                data=json.dumps({"name": "Wang Fang", "customer_id": "cust-1"}),
                created_at=NOW,
                updated_at=NOW,
            )
        )
        s.commit()
    engine.dispose()


def _indexes(db: ServerDB) -> set[str]:
    # Read the catalogue: SQLAlchemy's reflection skips expression indexes on SQLite.
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'record'"
        if db.is_sqlite
        else "SELECT indexname FROM pg_indexes WHERE tablename = 'record'"
    )
    with db.engine.connect() as conn:
        return set(conn.execute(text(sql)).scalars())


def test_a_fresh_database_is_migrated_to_head_and_a_restart_changes_nothing(new_url) -> None:
    db = ServerDB(new_url())
    assert db.init() == (None, head())
    assert db.init() == (head(), head())
    assert db.last_seq() == 0
    assert INDEX in _indexes(db)
    db.close()


def test_the_newest_revision_file_is_alembics_head() -> None:
    assert newest_file() == head()  # the fast path on start relies on it


def test_a_create_all_database_of_the_first_release_is_stamped_and_upgraded(new_url) -> None:
    url = new_url()
    _old_release_database(url)
    db = ServerDB(url)
    assert db.init() == (FIRST, head())
    assert db.last_seq() == 7
    with db.read() as s:
        kept = s.get(Record, "c-1")
        assert kept is not None and json.loads(kept.data)["name"] == "Wang Fang"
    assert INDEX in _indexes(db)
    db.close()


def test_the_customer_ref_lookup_uses_the_index(new_url) -> None:
    from crm_tui.server.crud.customer_merge import customer_ref

    db = ServerDB(new_url())
    db.init()
    with db.read() as s:
        sql = f"SELECT id FROM record WHERE {customer_ref(s)} = :c"  # as the merge runs it
        if db.is_sqlite:
            plan = s.connection().execute(text("EXPLAIN QUERY PLAN " + sql), {"c": "x"}).all()
        else:
            s.connection().execute(text("SET enable_seqscan = off"))
            plan = s.connection().execute(text("EXPLAIN " + sql), {"c": "x"}).all()
    assert INDEX in " ".join(str(r) for r in plan)
    db.close()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_migrated_schema_matches_the_server_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = ServerDB(f"sqlite:///{tmp_path / 'server.db'}")
    db.init()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), ServerModel.metadata)
    # The expression index is made by revision 2 and has no model counterpart.
    diff = [
        d for d in diff if not (d[0] == "remove_index" and d[1].name == "ix_record_customer_ref")
    ]
    assert diff == []
    db.close()


def test_crm_server_init_migrates_and_reports(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    _old_release_database(url)
    result = crm("server", "--database-url", url, "init")
    assert result.exit_code == 0, result.output
    assert "server database ready" in result.output
    with create_engine(url).connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
