"""The quick read commands open a book only when every migration this code knows is applied
(else the full command migrates it first); a version it does not know — a newer release's,
or a migration file renamed after a book had it — does not send them to the slow path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crm_tui.storage import quick_reads
from crm_tui.storage.database import open_database


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    open_database(path).close()
    return path


def test_a_migrated_book_opens(book: Path) -> None:
    quick_reads.open_current(book).close()


def test_a_version_it_does_not_know_is_no_obstacle(book: Path) -> None:
    with sqlite3.connect(book) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (9999, 'later', '2030-01-01')")
    quick_reads.open_current(book).close()


def test_a_missing_migration_sends_it_to_the_full_path(book: Path) -> None:
    with sqlite3.connect(book) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = 130")
    with pytest.raises(quick_reads.NotQuick):
        quick_reads.open_current(book)


@pytest.mark.parametrize(
    ("options", "env"),
    [({"--db": "~/x/crm.db"}, {}), ({}, {"CRM_DB": "/tmp/y.db"}), ({}, {})],
)
def test_the_book_is_the_one_config_names(
    options: dict[str, str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm_tui.config import resolve_db_path
    from crm_tui.quick_commands import db_path

    monkeypatch.delenv("CRM_DB", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert db_path(options) == resolve_db_path(options.get("--db"))
